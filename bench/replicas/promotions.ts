// Concurrent promotions, one per environment, asked and approved on alternating replicas (some approvals raced on two replicas at
// once), then counted in git, in the Kubernetes fake and in the recorded Slack calls.
import { kustomization } from '../../src/sandbox/world.js';
import { buttonsOf, inTime, press, slash, tsMs, waitUntil, type Ack } from './fakes.js';
import { APPROVERS, appName, envName, overlayOf, type Rig } from './rig.js';

const VERSION = 'v3.0.0';
const APP_PATH = (i: number) => `/apis/argoproj.io/v1alpha1/namespaces/argocd/applications/${appName(i)}`;
const OVERLAY_PUT = (i: number) => `/repos/acme/gitops/contents/${overlayOf(i)}/kustomization.yaml`;

/** How each environment's request is approved: one press, two approvers at once on two replicas, or one approver's double press on both. */
export type ApprovalRace = 'single' | 'two-approvers' | 'double-press';
export const raceOf = (i: number): ApprovalRace => (i % 4 === 0 ? 'two-approvers' : i % 4 === 1 ? 'double-press' : 'single');

export interface PromotionReport {
  count: number;
  /** the HTTP answers to every /deploy and every Approve press */
  acks: Ack[];
  /** environments whose promotion did not end committed, synced and reported healthy (each named with why) */
  lost: string[];
  /** extra effects: request messages, commits, sync operations, thread replies beyond one each */
  duplicated: string[];
  /** approve press -> the gitops contents PUT answered (GitHub fake's record), ms */
  approveToCommit: number[];
  /** approve press -> "healthy" posted in the request's thread (Slack fake's ts), ms */
  approveToHealthy: number[];
  /** the burst's commits, first to last, over their number: the GitHub fake writes one commit at a time per repository */
  commitEveryMs: number;
  /** first command -> last request posted; first approve -> last healthy, ms */
  requestPhaseMs: number;
  approvePhaseMs: number;
  queriesPerRequest: number;
  queriesPerApproval: number;
  /** the same for one promotion alone, before the burst (asked on the first replica, approved on the last): a quiet baseline */
  alone: { queriesPerRequest: number; queriesPerApproval: number; approveToCommit: number; approveToHealthy: number };
}

interface Posted {
  ts: string;
  id: string;
}

/** Per environment, the top-level request messages naming it (from their header, "Deploy v3.0.0 to bench-007"), one pass. */
function requestsByEnv(rig: Rig): Map<string, Array<{ ts: string; blocks: any[] }>> {
  const found = new Map<string, Array<{ ts: string; blocks: any[] }>>();
  for (const m of rig.world.slack.messages('C0DEPLOYS')) {
    if (m.thread_ts || !m.blocks) continue;
    const env = / to (bench-\d{3})\b/.exec(String(m.blocks[0]?.text?.text ?? m.text))?.[1];
    if (env) found.set(env, [...(found.get(env) ?? []), { ts: m.ts, blocks: m.blocks }]);
  }
  return found;
}

function posted(found: Map<string, Array<{ ts: string; blocks: any[] }>>, i: number): Posted | null {
  const message = found.get(envName(i))?.[0];
  const id = message ? buttonsOf(message.blocks).find((b) => b.action === 'deploy_approve')?.value : undefined;
  return message && id ? { ts: message.ts, id } : null;
}

/** Per request thread (its ts), the replies saying the Application is synced to the commit and healthy, one pass. */
function healthyByThread(rig: Rig): Map<string, Array<{ ts: string }>> {
  const found = new Map<string, Array<{ ts: string }>>();
  for (const m of rig.world.slack.messages('C0DEPLOYS')) {
    if (m.thread_ts && / is synced to .* and healthy/.test(m.text)) found.set(m.thread_ts, [...(found.get(m.thread_ts) ?? []), { ts: m.ts }]);
  }
  return found;
}

/** Presses Approve for environment i as its race says; resolves with the acked presses and when the first was sent. */
async function approve(rig: Rig, i: number, request: Posted): Promise<{ at: number; acks: Ack[] }> {
  const { replicas, world } = rig;
  const button = { action: 'deploy_approve', value: request.id, label: 'Approve' };
  const first = replicas[i % replicas.length]!;
  const other = replicas[(i + 1) % replicas.length]!;
  const presses: Array<[typeof first, string]> =
    raceOf(i) === 'two-approvers' ? [[first, APPROVERS[0]!], [other, APPROVERS[1]!]] : raceOf(i) === 'double-press' ? [[first, APPROVERS[2]!], [other, APPROVERS[2]!]] : [[first, APPROVERS[i % 3]!]];
  const at = Date.now();
  return { at, acks: await Promise.all(presses.map(([replica, user]) => press(world, replica, button, user, 'C0DEPLOYS', request.ts))) };
}

/** Environment i promoted with nothing else going on: what one request and one approval cost. */
async function promoteAlone(rig: Rig, i: number) {
  const { world, replicas } = rig;
  const q0 = await rig.queries();
  const ack = await slash(world, replicas[0]!, '/deploy', `${envName(i)} ${VERSION}`, 'U0DEV', 'C0DEPLOYS');
  await waitUntil(world, () => posted(requestsByEnv(rig), i) !== null, { quietMs: 15_000 });
  await rig.settled();
  const request = posted(requestsByEnv(rig), i);
  const q1 = await rig.queries();
  if (!request) return { ack, request, approval: null, queriesPerRequest: q1 - q0, queriesPerApproval: Number.NaN };
  const at = Date.now();
  const approval = { at, acks: [await press(world, replicas.at(-1)!, { action: 'deploy_approve', value: request.id, label: 'Approve' }, APPROVERS[0]!, 'C0DEPLOYS', request.ts)] };
  await waitUntil(world, () => healthyByThread(rig).has(request.ts), { quietMs: 15_000 });
  await rig.settled();
  return { ack, request, approval, queriesPerRequest: q1 - q0, queriesPerApproval: (await rig.queries()) - q1 };
}

/** Environments 0..count-1 at once, after environment `count` alone; the fakes are then audited for all of them. */
export async function runPromotions(rig: Rig, count: number): Promise<PromotionReport> {
  const { world, replicas } = rig;
  const envs = Array.from({ length: count }, (_, i) => i);
  const alone = await promoteAlone(rig, count);
  // Asked all at once, alternating replicas.
  const q0 = await rig.queries();
  const t0 = Date.now();
  const acks = await Promise.all(envs.map((i) => slash(world, replicas[i % replicas.length]!, '/deploy', `${envName(i)} ${VERSION}`, 'U0DEV', 'C0DEPLOYS')));
  await waitUntil(
    world,
    () => {
      const found = requestsByEnv(rig);
      return envs.every((i) => posted(found, i));
    },
    { quietMs: 15_000, everyMs: 100 },
  );
  await rig.settled();
  const asked = requestsByEnv(rig);
  const requests = envs.map((i) => posted(asked, i));
  const postedAt = requests.filter((p) => p !== null).map((p) => tsMs(p.ts));
  const requestPhaseMs = postedAt.length > 0 ? Math.max(...postedAt) - t0 : Number.NaN;
  const q1 = await rig.queries();

  // Approved all at once.
  const approvals = await Promise.all(envs.map((i) => (requests[i] ? approve(rig, i, requests[i]) : null)));
  const healthyAll = () => {
    const healthy = healthyByThread(rig);
    return envs.every((i) => !requests[i] || healthy.has(requests[i].ts));
  };
  await waitUntil(world, healthyAll, { quietMs: 20_000, everyMs: 100 });
  await rig.settled();
  const q2 = await rig.queries();

  const firstApprove = Math.min(...approvals.filter((a) => a !== null).map((a) => a.at));

  // The audit, from the fakes alone: the burst's environments and the one promoted alone.
  requests.push(alone.request);
  approvals.push(alone.approval);
  acks.push(alone.ack);
  const log = await world.github.log('acme/gitops');
  const found = requestsByEnv(rig);
  const healthyReplies = healthyByThread(rig);
  const lost: string[] = [];
  const duplicated: string[] = [];
  const approveToCommit: number[] = [];
  const approveToHealthy: number[] = [];
  let [aloneToCommit, aloneToHealthy] = [Number.NaN, Number.NaN];
  for (const i of [...envs, count]) {
    const env = envName(i);
    const request = requests[i];
    const approval = approvals[i];
    const messages = found.get(env)?.length ?? 0;
    const commits = log.filter((c) => c.message.startsWith(`Deploy ${env}:`));
    const puts = world.github.calls.filter((c) => c.method === 'PUT' && c.path === OVERLAY_PUT(i) && c.status < 300);
    const syncs = world.kube.calls.filter((c) => c.method === 'PATCH' && c.path === APP_PATH(i) && (c.body as { operation?: unknown } | undefined)?.operation && (c.status ?? 500) < 300);
    const application = world.kube.get('argoproj.io/v1alpha1', 'Application', 'argocd', appName(i));
    const overlay = await world.github.readFile('acme/gitops', `${overlayOf(i)}/kustomization.yaml`);
    const thread = request ? world.slack.messages('C0DEPLOYS').filter((m) => m.thread_ts === request.ts).map((m) => m.text) : [];
    const healthy = request ? (healthyReplies.get(request.ts) ?? []) : [];

    const missing = [
      messages === 0 && `no request posted (${answered(acks[i]!)})`,
      commits.length === 0 && 'no commit',
      syncs.length === 0 && 'no sync',
      commits[0] && application?.status?.sync?.revision !== commits[0].sha && `Argo CD at ${String(application?.status?.sync?.revision).slice(0, 7)}, not the commit`,
      commits[0] && application?.status?.health?.status !== 'Healthy' && `Argo CD ${application?.status?.health?.status}`,
      overlay !== kustomization(env, VERSION, VERSION) && 'overlay not on the new version',
      healthy.length === 0 && 'not reported healthy',
    ].filter((x): x is string => typeof x === 'string');
    if (missing.length > 0) lost.push(`${env}: ${missing.join(', ')}`);
    const extra = [
      messages > 1 && `${messages} request messages`,
      commits.length > 1 && `${commits.length} commits`,
      syncs.length > 1 && `${syncs.length} sync operations`,
      healthy.length > 1 && `${healthy.length} healthy replies`,
      thread.length !== new Set(thread).size && `${thread.length - new Set(thread).size} repeated thread replies`,
    ].filter((x): x is string => typeof x === 'string');
    if (extra.length > 0) duplicated.push(`${env}: ${extra.join(', ')}`);
    const toCommit = approval && puts[0] ? puts[0].endedAt - approval.at : Number.NaN;
    const toHealthy = approval && healthy[0] ? tsMs(healthy[0].ts) - approval.at : Number.NaN;
    if (i === count) [aloneToCommit, aloneToHealthy] = [toCommit, toHealthy];
    else {
      if (Number.isFinite(toCommit)) approveToCommit.push(toCommit);
      if (Number.isFinite(toHealthy)) approveToHealthy.push(toHealthy);
    }
  }
  // Commits nobody asked for: anything above the seed commit that is not one environment's deploy.
  const seed = log.findIndex((c) => c.message.startsWith('Bench environments'));
  const unexplained = log.slice(0, seed).filter((c) => !/^Deploy bench-\d{3}: /.test(c.message)).length;
  if (unexplained > 0) duplicated.push(`${unexplained} commits no promotion asked for`);

  const commitTimes = envs.flatMap((i) => world.github.calls.filter((c) => c.method === 'PUT' && c.path === OVERLAY_PUT(i) && c.status < 300).slice(0, 1).map((c) => c.endedAt));
  const commitEveryMs = commitTimes.length > 1 ? (Math.max(...commitTimes) - Math.min(...commitTimes)) / (commitTimes.length - 1) : Number.NaN;
  const healthyTimes = envs.map((i) => (requests[i] ? healthyReplies.get(requests[i].ts)?.[0] : undefined)).filter((m) => m !== undefined).map((m) => tsMs(m.ts));
  return {
    count,
    acks: [...acks, ...approvals.flatMap((a) => a?.acks ?? [])],
    lost,
    duplicated,
    approveToCommit,
    approveToHealthy,
    commitEveryMs,
    requestPhaseMs,
    approvePhaseMs: healthyTimes.length > 0 ? Math.max(...healthyTimes) - firstApprove : Number.NaN,
    queriesPerRequest: (q1 - q0) / count,
    queriesPerApproval: (q2 - q1) / count,
    alone: { queriesPerRequest: alone.queriesPerRequest, queriesPerApproval: alone.queriesPerApproval, approveToCommit: aloneToCommit, approveToHealthy: aloneToHealthy },
  };
}

/** How the command was answered, for a promotion that never got its request. */
function answered(ack: Ack & { said: () => string }): string {
  const said = ack.said().slice(0, 160);
  const when = `HTTP ${ack.status} after ${Math.round(ack.ms)} ms${inTime(ack) ? '' : ", past Slack's 3 s: the person saw operation_timeout"}`;
  return said ? `${when}; answered: ${said}` : when;
}
