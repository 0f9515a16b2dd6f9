// Words each run event for one audience (the Slack thread, plain text); null where the event is not told as a line.
import type { CanaryStage, ChangeLine, RunEvent } from '../domain/runEvents.js';
import { formatDuration } from '../domain/durations.js';
import { plural, spaced, type Words } from './words.js';
import { wordProblem } from './problems.js';

const BAR_CELLS = 10;

/** "▰▰▰▱▱▱▱▱▱▱ 30%": a weight of 100 as a bar. */
export function weightBar(weight: number): string {
  const filled = Math.max(0, Math.min(BAR_CELLS, Math.round(weight / (100 / BAR_CELLS))));
  return `${'▰'.repeat(filled)}${'▱'.repeat(BAR_CELLS - filled)} ${weight}%`;
}

export function changeLines(changes: ChangeLine[], w: Words): string {
  return changes.map((c) => `• ${w.text(c.app)}: ${c.from === null ? 'none' : w.code(c.from)} → ${w.code(c.to)}`).join('\n');
}

const short = (sha: string) => sha.slice(0, 7);

/** Where a canary analysis stands, one line. */
export function canaryStageText(p: CanaryStage, w: Words): string {
  switch (p.stage) {
    case 'detecting':
      return 'waiting for Flagger to detect the new revision';
    case 'waiting-rollout':
      return 'waiting for approval to start the analysis (confirm-rollout gate)';
    case 'progressing': {
      const of = p.maxWeight !== null ? ` of max ${p.maxWeight}%` : '';
      const checks = p.failedChecks > 0 ? `, ${p.failedChecks}${p.threshold !== null ? `/${p.threshold}` : ''} failed checks` : '';
      return `analysis progressing: ${weightBar(p.weight)}${of} of traffic on the canary${checks}`;
    }
    case 'waiting-promotion':
      return 'analysis passed; waiting for approval to promote (confirm-promotion gate)';
    case 'promoting':
      return 'analysis passed; promoting the canary to primary';
    case 'finalising':
      return 'routing all traffic to the promoted primary';
    case 'other':
      return p.phase ? `phase ${w.text(p.phase)}` : 'waiting for Flagger';
  }
}

/** One sync progress state, one line: the operation first, the app's state once the operation is done. */
function syncProgressText(e: Extract<RunEvent, { type: 'sync-progress' }>, w: Words): string {
  const app = w.text(e.application);
  if (e.phase === 'Requested') return `${app}: sync requested, waiting for Argo CD to start it`;
  if (e.phase === 'Running') return `${app}: syncing…`;
  const state = `${w.text(e.syncStatus)} / ${w.text(e.health)}`;
  return e.phase ? `${app}: sync ${w.text(e.phase.toLowerCase())}, app ${state}` : `${app}: app ${state}`;
}

/** The event as one thread line for the audience, or null when it is not told there. */
export function wordEvent(e: RunEvent, w: Words): string | null {
  switch (e.type) {
    case 'requested':
    case 'request-posted':
    case 'refused':
    case 'locked':
    case 'unlocked':
    case 'lock-expired':
    case 'deployment-created':
    case 'approval-refused':
      return null; // the request message and the private answer say these
    case 'no-approval-needed':
      return `No approval needed for ${w.text(e.env)}: deploying now.`;
    case 'approved':
      return spaced(w.emoji('white_check_mark'), `Approved by ${w.user(e.by)} (${e.approvals} of ${e.required}).`);
    case 'rejected':
      return spaced(w.emoji('no_entry_sign'), `Rejected by ${w.user(e.by)}. Nothing was deployed.`);
    case 'withdrawn':
      return spaced(w.emoji('leftwards_arrow_with_hook'), `Withdrawn by ${w.user(e.by)}, who requested it. Nothing was deployed.`);
    case 'expired':
      return spaced(w.emoji('hourglass'), `Expired with ${e.approvals} of ${e.required} approvals. Nothing was deployed; run the command again to ask anew.`);
    case 'commit-conflict':
      return null;
    case 'committed':
      return spaced(w.emoji('memo'), `Committed ${w.link(e.url, short(e.commitSha))} to ${w.text(e.repo)} (${w.text(e.overlay)}):\n${changeLines(e.changes, w)}`);
    case 'commit-found':
      return spaced(w.emoji('memo'), `The commit ${w.code(short(e.commitSha))} was already in git (written before a restart); carrying on from there.`);
    case 'sync-retried':
      return spaced(w.emoji('repeat'), `${w.user(e.by)} pressed Retry sync: Argo CD is asked again to apply ${w.code(short(e.revision))}.`);
    case 'sync-requested':
      return spaced(w.emoji('arrows_counterclockwise'), `Asked Argo CD to sync ${w.link(e.url, e.application)} to ${w.code(short(e.revision))} (initiated by ${w.user(e.initiatedBy)}).`);
    case 'sync-auto':
      return spaced(w.emoji('arrows_counterclockwise'), `${w.link(e.url, e.application)} syncs automatically; following it until it runs ${w.code(short(e.revision))}.`);
    case 'cluster-unreachable':
      return spaced(w.emoji('warning'), `The Kubernetes API does not answer for ${w.text(e.application)} (${w.text(e.detail)}); retrying for up to ${formatDuration(e.retryForMs)}.`);
    case 'sync-busy':
      return spaced(
        w.emoji('hourglass_flowing_sand'),
        `Argo CD is busy with ${w.text(e.application)}: an operation is already in progress (phase ${w.text(e.phase)}, started by ${e.by === null ? 'an automated sync' : w.text(e.by)}). Waiting for it to finish before syncing.`,
      );
    case 'sync-progress':
      return spaced(w.emoji('hourglass_flowing_sand'), syncProgressText(e, w));
    case 'synced':
      return spaced(w.emoji('white_check_mark'), `${w.text(e.application)} is synced to ${w.code(short(e.revision))} and healthy.`);
    case 'canary-following':
      return spaced(w.emoji('hatching_chick'), `Canary ${w.text(e.canary)}: following Flagger's analysis, which decides whether ${w.code(e.version)} is promoted to all traffic.`);
    case 'canary-unavailable':
      return spaced(
        w.emoji('warning'),
        e.why === 'after-restart'
          ? `The canary analysis of this commit cannot be followed after the restart; ${w.code('/canary-status')} shows it.`
          : e.why === 'no-rollback-gate'
            ? `Canary ${w.text(`${e.namespace}/${e.canary}`)} is analysing, but its rollback webhook does not call Flightdeck: rolling back in git instead (Flagger then analyses the previous version).`
          : `${e.why === 'missing' ? 'Flagger Canary' : 'Could not read Flagger Canary'} ${w.text(`${e.namespace}/${e.canary}`)}${e.why === 'missing' ? ' does not exist' : ''}; this deploy goes on without following a canary analysis.`,
      );
    case 'canary-abort-requested':
      return spaced(w.emoji('rewind'), `Canary ${w.text(e.canary)} is still analysing${e.version ? ` ${w.code(e.version)}` : ''}: opened Flightdeck's rollback gate, so Flagger aborts it and routes all traffic back to the primary. Git is not changed.`);
    case 'canary-aborted':
      return spaced(
        w.emoji('white_check_mark'),
        `Flagger rolled canary ${w.text(e.canary)} back: all traffic is on the primary, which still serves the previous version. Git still names ${e.gitVersion ? w.code(e.gitVersion) : 'the new version'} for ${w.text(e.env)}; revert it with ${w.code(`/rollback ${e.env}`)} (or the button below) so that git matches what runs.`,
      );
    case 'canary-gate-waiting':
      return spaced(w.emoji('raised_hand'), `Canary ${w.text(e.canary)} waits for approval to ${e.gate === 'promotion' ? 'promote' : 'start its analysis'}: an approver presses Promote canary, or Abort canary to roll it back.`);
    case 'canary-gate-opened':
      return spaced(w.emoji('unlock'), `Canary ${w.text(e.canary)}: the rollback was approved, so Flightdeck opened its ${e.gate === 'promotion' ? 'confirm-promotion' : 'confirm-rollout'} gate.`);
    case 'canary-progress':
      return spaced(w.emoji('hatching_chick'), `Canary ${w.text(e.canary)}: ${canaryStageText(e.progress, w)}`);
    case 'canary-verdict':
      if (e.passed) {
        return spaced(w.emoji('white_check_mark'), `Canary ${w.text(e.canary)}: ${e.initialised ? 'Flagger initialised the canary (a first revision has no analysis)' : 'canary analysis passed and Flagger promoted it'}.`);
      }
      return spaced(w.emoji('x'), `Canary ${w.text(e.canary)}: analysis failed${e.failedChecks > 0 ? ` after ${plural(e.failedChecks, 'failed check')}` : ''}.`);
    case 'succeeded':
      return spaced(w.emoji('rocket'), `${w.text(e.env)} now runs ${w.code(e.version)}.`);
    case 'failed':
      return spaced(w.emoji('x'), `Failed: ${wordProblem(e.problem, w)}`);
  }
}

/**
 * The key of the thread line an event edits in place (one per phase), or null for events that add a line. A phase's
 * milestone (synced, the canary's verdict) becomes the last state of its line, so no stale progress stays behind.
 */
export function progressKey(e: RunEvent): string | null {
  switch (e.type) {
    case 'sync-progress':
    case 'synced':
      return `sync:${e.application}`;
    case 'canary-following':
    case 'canary-progress':
    case 'canary-verdict':
      return `canary:${e.canary}`;
    default:
      return null;
  }
}
