// Words every refusal and failure reason (a Problem) for one audience; the only place these sentences are written.
import type { CanaryProblemOnly } from '../domain/canaryProblems.js';
import type { IncidentProblem } from '../domain/incidentEvents.js';
import { wordCanaryProblem } from './canary.js';
import type { AudienceRef, CoreProblem, Problem, UsageHint } from '../domain/problems.js';
import { incidentProblemText } from './incidentEvents.js';
import { formatDuration } from '../domain/durations.js';
import { listOf, plural, type Words } from './words.js';

/** The usage lines of `/rollback`. */
export function rollbackUsage(w: Words): string[] {
  return [
    `${w.code('/rollback <env>')} go back to the version the environment ran before the current one`,
    `${w.code('/rollback <env> <version> [app ...]')} go back to a version it ran before (only the apps named)`,
  ];
}

/** The usage lines of `/deploy`, as shown under a usage hint and in help. */
export function deployUsage(w: Words): string[] {
  return [
    `${w.code('/deploy <env> <version> [app ...]')} promote a release`,
    `${w.code('/deploy status [env]')} what runs where, waiting requests and locks`,
    `${w.code('/deploy history [env]')} the last deploys and rollbacks`,
    `${w.code('/deploy lock <env|all> [for <duration>] [reason]')} hold deploys`,
    `${w.code('/deploy unlock <env|all>')} release the hold`,
    `${w.code('/deploy help')} this help`,
  ];
}

function usageHint(d: UsageHint, w: Words): string {
  switch (d.hint) {
    case 'status-args':
      return `${w.code('/deploy status')} takes at most one environment, got "${w.text(d.got)}".`;
    case 'unlock-args':
      return `${w.code('/deploy unlock')} takes one environment or ${w.code('all')}.`;
    case 'lock-target':
      return `${w.code('/deploy lock')} needs an environment or ${w.code('all')}.`;
    case 'bad-duration':
      return d.max
        ? `"${w.text(d.text)}" is too long: a lock lasts at most ${d.max}. Give a shorter duration, or none to hold until unlocked.`
        : `"${w.text(d.text)}" is not a duration: use one such as 30m, 2h or 1d.`;
    case 'environment-first':
      return `The environment comes first: ${w.code(d.suggestion)}.`;
    case 'which-version':
      return `Which version should go to ${w.text(d.env)}? Such as ${w.code(`/deploy ${d.env} v3.0.0`)}.`;
    case 'rollback-env':
      return `Which environment should go back? Such as ${w.code('/rollback production')} or ${w.code('/rollback production v2.9.0 backend')}.`;
  }
}

export function audienceText(a: AudienceRef | null, w: Words): string {
  if (!a) return 'anyone';
  const parts = [...a.users.map((u) => w.user(u)), ...a.groups.map((g) => w.group(g))];
  return parts.length > 0 ? parts.join(', ') : 'nobody';
}

function running(list: Array<{ app: string; tag: string | null }>, w: Words): string {
  return list.map((r) => `${w.text(r.app)} runs ${r.tag === null ? 'nothing' : w.code(r.tag)}`).join(', ');
}

function held(then: 'nothing-deployed' | 'approval-not-recorded'): string {
  return then === 'nothing-deployed'
    ? 'Nothing was deployed.'
    : 'Your approval was not recorded; press Approve again once it is lifted (the request stays open until it expires or is rejected).';
}

const INCIDENT_CODES = new Set<string>([
  'incident-usage', 'unknown-severity', 'not-incident-channel', 'incident-gone', 'incident-resolved', 'same-severity',
  'same-commander', 'already-acknowledged', 'no-more-tiers', 'incident-channel-failed', 'deploy-not-failed', 'incident-freeze', 'incident-action-failed',
] satisfies Array<IncidentProblem['code']>);

function isIncidentProblem(p: Problem): p is IncidentProblem {
  return INCIDENT_CODES.has(p.code);
}

const CANARY_CODES = new Set<string>([
  'canary-usage', 'no-canaries', 'canary-not-for-app', 'not-canary-approver', 'canary-moved-on', 'canary-not-asked', 'canary-unreadable', 'canary-gate-approved',
] satisfies Array<CanaryProblemOnly['code']>);

/** One problem as one or more sentences for the audience. */
export function wordProblem(p: Problem, w: Words): string {
  if (isIncidentProblem(p)) return incidentProblemText(w, p);
  if (CANARY_CODES.has(p.code)) return wordCanaryProblem(p, w);
  return wordCoreProblem(p as CoreProblem, w);
}

function wordCoreProblem(p: CoreProblem, w: Words): string {
  switch (p.code) {
    case 'usage':
      return [usageHint(p.detail, w), 'Usage:', ...(p.command === 'rollback' ? rollbackUsage(w) : deployUsage(w))].join('\n');
    case 'unknown-environment':
      return `Unknown environment "${w.text(p.given)}". Known environments: ${p.known.map((k) => w.text(k)).join(', ')}.`;
    case 'unknown-apps':
      return `Unknown app${p.given.length === 1 ? '' : 's'} ${p.given.map((a) => `"${w.text(a)}"`).join(', ')}. Known apps: ${p.known.map((k) => w.text(k)).join(', ')}.`;
    case 'bad-tag':
      return `"${w.text(p.version)}" is not a valid image tag: use up to 128 letters, digits, ".", "_" and "-", not starting with "." or "-" (such as v3.0.0).`;
    case 'not-a-commit':
      return `"${w.text(p.version)}" is not a commit of ${w.text(p.source)}: ${w.text(p.app)} is versioned by commit SHA, so give 7 to 40 hex digits such as ${w.code(p.example)}.`;
    case 'not-semver':
      return `"${w.text(p.version)}" is not a semver tag such as v3.0.0 (${w.text(p.env)} requires semver${p.app ? `, and ${w.text(p.app)} is versioned by commit` : ''}).`;
    case 'not-deployer':
      return `You may not deploy to ${w.text(p.env)}: it is limited to its deployers (${audienceText(p.deployers, w)}).`;
    case 'locked': {
      const scope = p.lock.env === '*' ? 'All environments are' : `${w.text(p.env)} is`;
      const until = p.lock.until !== null ? ` until ${w.date(p.lock.until)}` : '';
      const reason = p.lock.reason ? `: ${w.text(p.lock.reason)}` : '';
      return `${scope} locked by ${w.user(p.lock.owner)}${until}${reason}. ${held(p.then)}`;
    }
    case 'frozen': {
      const until = p.endsAt !== null ? ` until ${w.date(p.endsAt)}` : '';
      return `${w.text(p.env)} is frozen (${w.text(p.freeze)})${until}. ${held(p.then)}`;
    }
    case 'not-locked':
      return p.env === '*' ? 'There is no lock on all environments.' : `${w.text(p.env)} is not locked.`;
    case 'held-by-all':
      return `${w.text(p.env)} has no lock of its own, but all environments are locked by ${w.user(p.lock.owner)}${p.lock.reason ? `: ${w.text(p.lock.reason)}` : ''}. Lift that with ${w.code('/deploy unlock all')}.`;
    case 'lock-held': {
      const scope = p.env === '*' ? 'All environments are' : `${w.text(p.env)} is`;
      const until = p.lock.until !== null ? ` until ${w.date(p.lock.until)}` : ' until unlocked';
      return `${scope} locked by ${w.user(p.lock.owner)}${until}${p.lock.reason ? `: ${w.text(p.lock.reason)}` : ''}. Only they or an approver may change or lift it; nothing was changed.`;
    }
    case 'pull-request-mode':
      return 'gitops.mode "pull-request" is not supported by this release: nothing was deployed. Set gitops.mode to "commit".';
    case 'no-overlay':
      return `The overlay of ${w.text(p.env)} has no kustomization.yaml: looked in ${w.code(`${p.repo}:${p.folder}/`)}. Check environments[].overlay in the config.`;
    case 'overlay-invalid':
      return `${w.text(p.file)} is not valid YAML (${w.text(p.detail)}); fix it in the GitOps repository first.`;
    case 'overlay-no-image':
      return `${w.text(p.file)} has no images entry named ${w.code(p.image)}; add one (name: ${w.text(p.image)}) before deploying it with Flightdeck.`;
    case 'overlay-digest':
      return `${w.text(p.file)} pins ${w.code(p.image)} by digest (${w.code(p.digest)}); kustomize would ignore a new tag. Remove the digest from its images entry first.`;
    case 'overlay-unsupported-tag':
      return `newTag of ${w.code(p.value)} is written as a YAML ${w.text(p.token)}; write it as a plain or quoted value so Flightdeck can set it.`;
    case 'apps-not-in-overlay':
      return `${listOf(p.apps.map((a) => w.text(a)))} ${p.apps.length === 1 ? 'is' : 'are'} not deployed to ${w.text(p.env)}: its overlay (${w.code(p.overlay)}) has no image ${p.images.map((i) => w.code(i)).join(', ')}.`;
    case 'no-apps-in-overlay':
      return `No configured app is deployed to ${w.text(p.env)}: its overlay (${w.code(p.overlay)}) sets none of their images.`;
    case 'already-running': {
      const runs = `${w.text(p.env)} already runs ${w.code(p.version)} (${p.apps.map((a) => w.text(a)).join(', ')}) in git.`;
      if (!p.retry) return `${runs} Nothing to deploy.`;
      const where = p.retry.link ? w.link(p.retry.link, `request ${p.retry.runId}`) : `request ${w.code(p.retry.runId)}`;
      return `${runs} The sync of ${where}, which committed it, failed: press Retry sync on it to have Argo CD apply it. Nothing new was requested.`;
    }
    case 'not-promoted-yet':
      return `${w.code(p.version)} must run in ${w.text(p.previous)} before it is promoted further (build once, deploy many): in ${w.text(p.previous)} ${running(p.running, w)}. Deploy ${w.code(p.version)} to ${w.text(p.previous)} first.`;
    case 'version-not-found':
      return `${w.text(p.app)}: ${w.text(p.source)} has no ${p.kind} ${w.code(p.ref)}. Is the version right, and was it released?`;
    case 'checks-not-passed': {
      const list = p.checks.map((c) => `${w.text(c.name)} is ${c.state === 'missing' ? 'missing' : c.state === 'pending' ? 'still running' : 'failing'}`).join(', ');
      return `${w.text(p.app)} ${w.code(p.version)} (${w.code(p.sha.slice(0, 7))}) has not passed its required checks: ${list}. Nothing was requested.`;
    }
    case 'not-approver':
      return `You are not an approver of ${p.kind === 'rollback' ? 'rollbacks' : 'deploys'} to ${w.text(p.env)}, so you cannot ${p.action} this request.`;
    case 'own-request':
      return `You requested this ${p.kind}; someone else must approve it.`;
    case 'already-approved':
      return 'You have already approved this request; another approver is needed.';
    case 'request-gone':
      return 'This request no longer exists.';
    case 'request-decided':
      return `This request is already ${w.text(p.state)}; nothing was changed.`;
    case 'request-expired':
      return 'This request has expired; nothing was changed. Ask again with the same command.';
    case 'already-requested': {
      const where = p.link ? w.link(p.link, `the open request ${p.runId}`) : `the open request ${w.code(p.runId)}`;
      return `${w.code(p.version)} to ${w.text(p.env)} is already ${p.state === 'pending' ? 'waiting for approval' : 'under way'}: see ${where}. Nothing new was requested.`;
    }
    case 'overtaken':
      return `${w.text(p.env)} moved on: ${w.code(p.by)} deployed ${w.code(p.version)} there first, so this request no longer shows what would change. Ask again if it is still wanted.`;
    case 'environment-gone':
      return `Environment ${w.text(p.env)} is no longer configured.`;
    case 'cannot-post':
      return `I cannot post the request in this channel (${w.text(p.reason)}). Invite me with ${w.code('/invite @Flightdeck')} or use another channel. Nothing was changed.`;
    case 'upstream-failing': {
      const then = p.write ? 'The change it asked for may or may not have been made: check before trying again.' : 'Nothing was changed by this step; try again in a few minutes.';
      return `${p.service} kept failing for Flightdeck (HTTP ${p.status}: ${w.text(p.detail)}) through its retries. ${then}`;
    }
    case 'upstream-limited': {
      const wait = p.retryAfterS === null ? 'a while' : formatDuration(Math.max(1, Math.ceil(p.retryAfterS)) * 1000);
      return `${p.service} is rate-limiting Flightdeck and asked it to wait ${wait}, longer than a command waits. Nothing was changed by this step; try again after that.`;
    }
    case 'nothing-to-roll-back':
      return `Nothing to roll back to in ${w.text(p.env)}: the history of its overlay shows no earlier version of ${listOf(p.apps.map((a) => w.text(a)))}. Name one with ${w.code(`/rollback ${p.env} <version>`)} if it ran before.`;
    case 'never-ran':
      return `${w.text(p.env)} never ran ${w.code(p.version)} for ${w.text(p.app)}, so it is no rollback target${p.ran.length > 0 ? `; it ran ${listOf(p.ran.map((t) => w.code(t)))}` : ''}. Use ${w.code('/deploy')} for a version it has not run.`;
    case 'canary-abort-timeout':
      return `Flagger did not roll back canary ${w.text(p.canary)} within ${formatDuration(p.afterMs)}; check it with ${w.code('/canary-status')}. Git was not changed.`;
    case 'canary-promoted-first':
      return `Flagger promoted canary ${w.text(p.canary)} before it saw the rollback gate, so traffic is on the new version. Run ${w.code(`/rollback ${p.env}`)} again to go back in git.`;
    case 'not-retryable':
      return p.failedWith === null
        ? `This request is ${w.text(p.state)}: there is no failed sync to retry. Nothing was changed.`
        : `Only a sync that failed after the commit can be retried; this request failed before that (${w.text(p.failedWith)}). Nothing was changed; ask again with the command if it is still wanted.`;
    case 'overlay-moved-on':
      return `The overlay of ${w.text(p.env)} changed after commit ${w.code(p.commitSha.slice(0, 7))}${p.newest ? ` (newest: ${w.code(p.newest.slice(0, 7))})` : ''}: syncing it would apply an older state, so the sync was not retried. Sync ${w.text(p.application)} in Argo CD to apply git's newest state.`;
    case 'env-busy': {
      const where = p.link ? w.link(p.link, `request ${p.runId}`) : `request ${w.code(p.runId)}`;
      return `Another delivery to ${w.text(p.env)} is under way (${w.code(p.version)}, ${where}); the sync was not retried. Try again once it has ended.`;
    }
    case 'env-moved':
      return `${w.text(p.env)} changed since this was requested (${running(p.running, w)}); nothing was committed. Ask again if it is still wanted.`;
    case 'argo-kept-busy':
      return `Argo CD kept ${w.text(p.application)} busy with another operation; the commit is in git but was not synced. Press Retry sync on the request, or sync it in Argo CD.`;
    case 'cluster-unreachable':
      return p.stage === 'request'
        ? `The Kubernetes API did not answer for ${w.text(p.application)} within ${formatDuration(p.afterMs)} (${w.text(p.detail)}); the commit is in git but Argo CD was not asked to sync it. Press Retry sync on the request once the cluster answers, or sync ${w.text(p.application)} in Argo CD.`
        : `Lost sight of ${w.text(p.application)}: the Kubernetes API did not answer within ${formatDuration(p.afterMs)} (${w.text(p.detail)}). The sync was asked for; check its outcome in Argo CD, or press Retry sync on the request to follow it again.`;
    case 'sync-failed':
      return `Argo CD sync ${w.text(p.phase.toLowerCase())}: ${w.text(p.message ?? 'no message')}`;
    case 'unhealthy':
      return `${w.text(p.application)} synced, but the application is ${w.text(p.health)}`;
    case 'sync-timeout':
      return `Timed out after ${formatDuration(p.afterMs)} waiting for ${w.text(p.application)} to sync ${w.code(p.revision.slice(0, 7))} and become healthy (last seen: ${w.text(p.lastSeen ?? 'no change')}).`;
    case 'canary-failed': {
      const checks = p.failedChecks > 0 ? ` after ${plural(p.failedChecks, 'failed check')}` : '';
      return `Flagger's canary analysis failed${checks}: ${w.text(p.message ?? 'no message')} Traffic is back on the previous version, but git still names ${w.code(p.version)} for ${w.text(p.env)}: revert commit ${w.code(p.commitSha.slice(0, 7))} so that git matches what runs.`;
    }
    case 'canary-deleted':
      return `the Flagger Canary ${w.text(p.canary)} was deleted during its analysis`;
    case 'canary-lost':
      return `Lost sight of Flagger Canary ${w.text(`${p.namespace}/${p.canary}`)} (${w.text(p.detail)}); check it with ${w.code(`/canary-status ${p.env}`)}.`;
    case 'canary-timeout':
      return `Timed out after ${formatDuration(p.afterMs)} waiting for Flagger Canary ${w.text(p.canary)} to finish its analysis (last seen: ${w.text(p.lastSeen ?? 'no change')}).`;
    case 'interrupted':
      return 'interrupted before its message was posted';
    case 'store-unavailable':
      return 'Flightdeck cannot record anything right now (its database does not answer), so it did nothing. Try again in a minute.';
    case 'internal':
      return `Something failed on our side (reference ${w.code(p.reference)}). Nothing was changed by this step; try again or ask the platform team.`;
  }
}
