// Slack wiring of canary control: `/canary-status`, the Promote/Abort/Follow buttons, and the thread sink follow events go to.
import type { App } from '@slack/bolt';
import { parseCanaryStatusCommand } from '../../domain/canaryCommand.js';
import type { CanaryFollowEvent } from '../../domain/canaryEvents.js';
import type { GateKind } from '../../domain/canaryGates.js';
import { CanaryRefusal } from '../../domain/canaryProblems.js';
import { UserError } from '../../domain/problems.js';
import type { Background } from '../../runtime/background.js';
import type { CanaryFollowHub, CanaryFollowSink } from '../../workflows/canaryFollow.js';
import { canaryRefOfEnv, openCanaryGate, type CanaryDeps } from '../../workflows/canaryGates.js';
import { canaryStatus } from '../../workflows/canaryStatus.js';
import { wordCanaryEvent, wordCanaryProblem } from '../../wording/canary.js';
import { wordProblem } from '../../wording/problems.js';
import { ACTION_CANARY_ABORT, ACTION_CANARY_FOLLOW, ACTION_CANARY_PROMOTE, canaryStatusMessage, mrkdwnWords, parseCanaryButtonValue } from './blocks/canary.js';

type WebClient = App['client'];

/** Posts follow events in their thread, worded as Slack mrkdwn. */
export class SlackCanaryThreads implements CanaryFollowSink {
  constructor(private readonly client: WebClient) {}

  async deliver(thread: { channel: string; threadTs: string }, event: CanaryFollowEvent): Promise<void> {
    await this.client.chat.postMessage({ channel: thread.channel, thread_ts: thread.threadTs, text: wordCanaryEvent(event, mrkdwnWords), unfurl_links: false });
  }
}

const HELP = [
  '`/canary-status [env] [app]` shows the Flagger canary of each environment that has one (or of that environment, or the one analysing that app):',
  'phase, traffic on the canary against its maximum, the step plan, failed checks, and each analysis metric against its threshold (with current values where Prometheus is configured).',
  '*Promote canary* opens the confirm-promotion gate, *Abort canary* the rollback gate (for approvers); *Follow* posts the analysis here as it happens.',
].join('\n');

export function registerCanaryHandlers(app: App, deps: CanaryDeps, background: Background, hub: CanaryFollowHub, threads: CanaryFollowSink): void {
  app.command('/canary-status', async ({ command, ack, respond, client }) => {
    deps.metrics.command('canary-status');
    let parsed: ReturnType<typeof parseCanaryStatusCommand>;
    try {
      parsed = parseCanaryStatusCommand(deps.config, command.text);
    } catch (err) {
      await ack({ response_type: 'ephemeral', text: messageOf(err, deps) });
      return;
    }
    if (parsed.kind === 'help') {
      await ack({ response_type: 'ephemeral', text: HELP });
      return;
    }
    await ack();
    background.run('canary-status', async () => {
      try {
        const message = canaryStatusMessage(await canaryStatus(deps, parsed.envs));
        // A channel message, so Follow has a thread to post in; privately where the bot may not post.
        await client.chat.postMessage({ channel: command.channel_id, text: message.text, blocks: message.blocks, unfurl_links: false }).catch(async (err: unknown) => {
          const code = (err as { data?: { error?: string } }).data?.error;
          if (code !== 'not_in_channel' && code !== 'channel_not_found') throw err;
          await respond({ response_type: 'ephemeral', text: message.text, blocks: message.blocks });
        });
      } catch (err) {
        await respond({ response_type: 'ephemeral', replace_original: false, text: messageOf(err, deps) });
      }
    });
  });

  const onGate = (gate: GateKind) => async ({ ack, body, action }: { ack: () => Promise<void>; body: unknown; action: unknown }) => {
    await ack();
    const click = clickOf(body, action);
    background.run(`canary-${gate}`, () =>
      tellOnFailure(deps, click, async () => {
        const env = environmentNamed(deps, click.env);
        const outcome = await openCanaryGate(deps, { env, gate, user: click.user, shownSpec: click.shownSpec });
        const ref = canaryRefOfEnv(env)!;
        const name = { env: env.name, canary: ref.name, namespace: ref.namespace };
        const thread = { channel: click.channel, threadTs: click.messageTs };
        if (outcome.kind === 'duplicate') throw new CanaryRefusal({ code: 'canary-gate-approved', canary: ref.name, gate });
        if (outcome.kind === 'already-open' || outcome.kind === 'opened') {
          if (outcome.kind === 'opened') await threads.deliver(thread, { type: 'gate-opened', canary: name, gate, by: outcome.gate.approvals.map((a) => a.user) });
          else await deps.chat.tellUser(click.channel, click.user, wordCanaryEvent({ type: 'gate-opened', canary: name, gate, by: outcome.gate.approvals.map((a) => a.user) }, mrkdwnWords));
          return;
        }
        if (outcome.kind === 'recorded') {
          await threads.deliver(thread, { type: 'gate-approval', canary: name, gate, by: click.user, approvals: outcome.gate.approvals.length, required: outcome.gate.required });
        }
      }),
    );
  };
  app.action(ACTION_CANARY_PROMOTE, onGate('promote'));
  app.action(ACTION_CANARY_ABORT, onGate('rollback'));

  app.action(ACTION_CANARY_FOLLOW, async ({ ack, body, action }) => {
    await ack();
    const click = clickOf(body, action);
    background.run('canary-follow', () =>
      tellOnFailure(deps, click, async () => {
        await hub.follow(environmentNamed(deps, click.env), { channel: click.channel, threadTs: click.messageTs }, click.user);
      }),
    );
  });
}

interface Click {
  env: string;
  shownSpec: string | null;
  user: string;
  channel: string;
  messageTs: string;
}

/** The parts of a block_actions payload we use; the value names the canary, authority is re-checked at press time. */
function clickOf(body: unknown, action: unknown): Click {
  const b = body as { user?: { id?: string }; channel?: { id?: string }; container?: { channel_id?: string; message_ts?: string }; message?: { ts?: string; thread_ts?: string } };
  const { env, shownSpec } = parseCanaryButtonValue(String((action as { value?: string }).value ?? ''));
  // Buttons on a reply (a deploy thread's gate wait) answer in that thread; on a top-level message, in its own.
  const thread = b.message?.thread_ts ?? b.container?.message_ts ?? b.message?.ts ?? '';
  return { env, shownSpec, user: String(b.user?.id ?? ''), channel: String(b.channel?.id ?? b.container?.channel_id ?? ''), messageTs: String(thread) };
}

function environmentNamed(deps: CanaryDeps, name: string) {
  const env = deps.config.environments.find((e) => e.name === name);
  if (!env) throw new UserError({ code: 'environment-gone', env: name });
  return env;
}

async function tellOnFailure(deps: CanaryDeps, click: Click, work: () => Promise<void>): Promise<void> {
  try {
    await work();
  } catch (err) {
    await deps.chat.tellUser(click.channel, click.user, messageOf(err, deps));
  }
}

function messageOf(err: unknown, deps: CanaryDeps): string {
  if (err instanceof CanaryRefusal) return `:warning: ${wordCanaryProblem(err.problem, mrkdwnWords)}`;
  if (err instanceof UserError) return `:warning: ${wordProblem(err.problem, mrkdwnWords)}`;
  const reference = `err-${Math.random().toString(36).slice(2, 10)}`;
  deps.log.error({ err, reference }, 'canary command failed');
  return `:x: Something failed on our side (reference ${reference}). Nothing was changed by this step; try again or ask the platform team.`;
}
