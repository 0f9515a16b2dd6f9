// Words canary follow events and canary refusals for one audience (Slack mrkdwn, plain text); the only place these sentences are written.
import type { CanaryFollowEvent, CanaryName } from '../domain/canaryEvents.js';
import type { GateKind } from '../domain/canaryGates.js';
import type { CanaryProblem } from '../domain/canaryProblems.js';
import { audienceText, wordProblem } from './problems.js';
import { listOf, plural, spaced, type Words } from './words.js';

const button = (gate: GateKind): string => (gate === 'promote' ? 'Promote canary' : 'Abort canary');

function canaryOf(c: CanaryName, w: Words): string {
  return `canary ${w.code(c.canary)} (${w.text(c.env)})`;
}

export function wordCanaryEvent(e: CanaryFollowEvent, w: Words): string {
  const c = canaryOf(e.canary, w);
  switch (e.type) {
    case 'follow-started':
      return spaced(w.emoji('eyes'), `Following ${c} here until its analysis ends: phase ${w.text(e.phase)}, ${e.weight}%${e.maxWeight !== null ? ` of ${e.maxWeight}%` : ''} of traffic on the canary.`);
    case 'follow-idle':
      return spaced(w.emoji('zzz'), `${c} is not analysing anything (phase ${w.text(e.phase)}); there is nothing to follow. A new revision starts an analysis.`);
    case 'already-following':
      return spaced(w.emoji('eyes'), `This thread already follows ${c}.`);
    case 'weight-step':
      return spaced(w.emoji('arrow_up'), `${c}: ${e.weight}%${e.maxWeight !== null ? ` of ${e.maxWeight}%` : ''} of traffic on the canary.`);
    case 'iteration':
      return spaced(w.emoji('repeat'), `${c}: iteration ${e.iterations}${e.target !== null ? ` of ${e.target}` : ''} (blue/green: no traffic shifted until promotion).`);
    case 'gate-waiting':
      return e.gate === 'rollout'
        ? spaced(w.emoji('raised_hand'), `${c} waits for approval to start its analysis (confirm-rollout gate): an approver presses ${w.bold('Promote canary')} in ${w.code('/canary-status')}.`)
        : spaced(w.emoji('raised_hand'), `${c} passed its analysis and waits for approval to promote (confirm-promotion gate): an approver presses ${w.bold('Promote canary')} in ${w.code('/canary-status')}.`);
    case 'checks-failed':
      return spaced(w.emoji('warning'), `${c}: ${plural(e.failedChecks, 'failed check')}${e.threshold !== null ? ` of ${e.threshold} allowed before Flagger rolls back` : ''}.`);
    case 'promoting':
      return spaced(w.emoji('rocket'), e.phase === 'Promoting' ? `${c}: analysis passed; promoting the canary to primary.` : `${c}: routing all traffic to the promoted primary.`);
    case 'verdict':
      if (e.passed) {
        return spaced(w.emoji('white_check_mark'), e.phase === 'Initialized' ? `${c}: Flagger initialised the canary (a first revision has no analysis).` : `${c}: analysis passed and Flagger promoted it.`);
      }
      return spaced(
        w.emoji('x'),
        `${c}: ${e.phase === 'Failed' ? 'analysis failed' : `the Canary is ${w.text(e.phase)}`}${e.failedChecks > 0 ? ` after ${plural(e.failedChecks, 'failed check')}` : ''}${e.message ? `: ${w.text(e.message)}` : '.'} Traffic is back on the primary.`,
      );
    case 'follow-lost':
      return spaced(w.emoji('warning'), `Stopped following ${c}: ${w.text(e.detail)}.`);
    case 'gate-opened':
      return spaced(w.emoji('unlock'), `${w.bold(button(e.gate))} for ${c}: the gate is open (${listOf(e.by.map((u) => w.user(u)))}); Flagger goes on at its next check.`);
    case 'gate-approval':
      return spaced(w.emoji('ballot_box_with_check'), `${w.user(e.by)} pressed ${w.bold(button(e.gate))} for ${c}: ${e.approvals} of ${e.required} approvals.`);
  }
}

export function wordCanaryProblem(p: CanaryProblem, w: Words): string {
  switch (p.code) {
    case 'canary-usage':
      return `${w.code('/canary-status [env] [app]')} takes an environment and an app at most, got "${w.text(p.got)}".`;
    case 'no-canaries':
      if (p.env) return `${w.text(p.env)} has no Flagger canary configured${p.withCanary.length ? `; environments with one: ${listOf(p.withCanary.map((e) => w.text(e)))}` : ''}.`;
      return 'No environment has a Flagger canary configured (environments[].canary).';
    case 'canary-not-for-app':
      return `No configured canary analyses ${w.text(p.app)}${p.env ? ` in ${w.text(p.env)}` : ''}.`;
    case 'not-canary-approver':
      return `Only ${p.gate === 'promote' ? 'deploy' : 'rollback'} approvers of ${w.text(p.env)} (${audienceText(p.approvers, w)}) may press ${w.bold(button(p.gate))}; nothing was changed.`;
    case 'canary-moved-on':
      return `Canary ${w.code(p.canary)} moved on to another revision since this message was posted; run ${w.code('/canary-status')} again. Nothing was changed.`;
    case 'canary-not-asked':
      return `Flagger has not asked Flightdeck about the current revision of canary ${w.code(p.canary)} yet, so there is no gate to open: check that its ${p.gate === 'promote' ? 'confirm-promotion' : 'rollback'} webhook points at Flightdeck (${w.code(p.gate === 'promote' ? '/flagger/gate/check' : '/flagger/rollback/check')}). Nothing was changed.`;
    case 'canary-unreadable':
      if (p.reason === 'no-crd') return `Flagger is not installed where ${w.text(p.namespace)} runs: the Kubernetes API has no Canary type (flagger.app/v1beta1).`;
      if (p.reason === 'missing') return `There is no Flagger Canary ${w.code(p.canary)} in namespace ${w.text(p.namespace)}.`;
      return `Could not read Flagger Canary ${w.code(p.canary)} in ${w.text(p.namespace)}${p.detail ? `: ${w.text(p.detail)}` : ''}.`;
    case 'canary-gate-approved':
      return `You have already pressed ${w.bold(button(p.gate))} for this revision of ${w.code(p.canary)}; another approver is needed.`;
    default:
      return wordProblem(p, w);
  }
}
