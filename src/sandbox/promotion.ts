// Drives one two-app staging promotion through a running Flightdeck the way Slack does, and times each step.
// The bench measures with it; the process test checks with it that the bundle `npm start` runs does the whole job.
import { blockActionBody, postToSlackEndpoint, slashCommandBody } from './slack/requests.js';
import { SIGNING_SECRET, type World } from './world.js';

export async function until<T>(probe: () => T | Promise<T>, timeoutMs = 30_000, everyMs = 2): Promise<NonNullable<T>> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value as NonNullable<T>;
    if (performance.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

export interface CallMarks {
  github: number;
  kube: number;
  slack: number;
}

function mark(world: World): CallMarks {
  return { github: world.github.calls.length, kube: world.kube.calls.length, slack: world.slack.calls.length };
}

/** Upstream calls made between two marks (the second one: now). */
export function callsSince(world: World, from: CallMarks, to: CallMarks = mark(world)) {
  return { github: to.github - from.github, kubernetes: to.kube - from.kube, slack: to.slack - from.slack };
}

export interface PromotionRun {
  ackMs: number;
  ackStatus: number;
  postedMs: number;
  commitMs: number;
  syncMs: number;
  /** call counts before the command and before the click */
  beforeCommand: CallMarks;
  beforeApprove: CallMarks;
}

/** `/deploy staging <version>` by U0DEV, **Approve** by U0LEAD, then waits for the thread to report it healthy. */
export async function promoteStaging(url: string, world: World, version = 'v3.0.0', timeoutMs = 30_000): Promise<PromotionRun> {
  const events = `${url}/slack/events`;
  const beforeCommand = mark(world);
  const t0 = performance.now();
  const ack = await postToSlackEndpoint(events, SIGNING_SECRET, slashCommandBody({ command: '/deploy', text: `staging ${version}`, userId: 'U0DEV', channelId: 'C0DEPLOYS', responseUrl: world.slack.responseUrl() }));
  const posted = await until(() => world.slack.messages('C0DEPLOYS').find((m) => !m.thread_ts && m.blocks && JSON.stringify(m.blocks).includes(version)), timeoutMs);
  const postedMs = performance.now() - t0;
  const requestId = /fd-[0-9a-f]{10}/.exec(JSON.stringify(posted.blocks))![0];

  const beforeApprove = mark(world);
  const t1 = performance.now();
  await postToSlackEndpoint(events, SIGNING_SECRET, blockActionBody({ actionId: 'deploy_approve', value: requestId, userId: 'U0LEAD', channelId: 'C0DEPLOYS', messageTs: posted.ts, responseUrl: world.slack.responseUrl() }));
  await until(() => world.github.calls.slice(beforeApprove.github).some((c) => c.method === 'PUT' && c.status < 300), timeoutMs);
  const commitMs = performance.now() - t1;
  await until(() => world.kube.calls.slice(beforeApprove.kube).some((c) => c.method === 'PATCH' && (c.body as { operation?: unknown } | undefined)?.operation), timeoutMs);
  const syncMs = performance.now() - t1;
  await until(() => world.slack.messages('C0DEPLOYS').some((m) => m.thread_ts === posted.ts && /healthy/i.test(m.text)), timeoutMs);
  return { ackMs: ack.ms, ackStatus: ack.status, postedMs, commitMs, syncMs, beforeCommand, beforeApprove };
}
