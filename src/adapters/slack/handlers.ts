// Slash commands and buttons: ack at once, parse, then run the workflow after the ack and report to the person.
import type { App, RespondFn } from '@slack/bolt';
import { UserError } from '../../domain/errors.js';
import { parseDeployCommand } from '../../domain/commands.js';
import type { Background } from '../../runtime/background.js';
import type { WorkflowDeps } from '../../workflows/context.js';
import { lockEnvironment, unlockEnvironment } from '../../workflows/locks.js';
import { approveRequest, rejectRequest, requestPromotion } from '../../workflows/promote.js';
import { deployStatus } from '../../workflows/status.js';
import { ACTION_APPROVE, ACTION_REJECT } from './blocks/request.js';
import { deployHelp } from './blocks/help.js';
import { lockMessage, unlockMessage } from './blocks/lock.js';
import { statusMessage } from './blocks/status.js';
import { escapeMrkdwn } from './mrkdwn.js';

const LATER = ['/rollback', '/canary-status'];

export function registerHandlers(app: App, deps: WorkflowDeps, background: Background): void {
  app.command('/deploy', async ({ command, ack, respond }) => {
    deps.metrics.command('deploy');
    let parsed: ReturnType<typeof parseDeployCommand>;
    try {
      parsed = parseDeployCommand(deps.config, command.text);
    } catch (err) {
      await ack({ response_type: 'ephemeral', text: messageOf(err, deps, null) });
      return;
    }
    const user = command.user_id;
    switch (parsed.kind) {
      case 'help':
        await ack({ response_type: 'ephemeral', text: deployHelp(deps.config.environments.map((e) => e.name)) });
        return;
      case 'status':
        await ack();
        background.run('deploy-status', () =>
          reply(deps, respond, async () => {
            await respond({ response_type: 'ephemeral', ...statusMessage(await deployStatus(deps, parsed.env?.name), deps.clock.now()) });
          }),
        );
        return;
      case 'lock':
        await ack();
        background.run('deploy-lock', () =>
          reply(deps, respond, async () => {
            const lock = await lockEnvironment(deps, { env: parsed.env, user, ...(parsed.durationMs ? { durationMs: parsed.durationMs } : {}), ...(parsed.reason ? { reason: parsed.reason } : {}) });
            await respond({ response_type: 'in_channel', text: lockMessage(lock, deps.clock.now()) });
          }),
        );
        return;
      case 'unlock':
        await ack();
        background.run('deploy-unlock', () =>
          reply(deps, respond, async () => {
            await unlockEnvironment(deps, { env: parsed.env, user });
            await respond({ response_type: 'in_channel', text: unlockMessage(parsed.env === '*' ? '*' : parsed.env.name, user) });
          }),
        );
        return;
      case 'promote':
        await ack({ response_type: 'ephemeral', text: `Checking ${escapeMrkdwn(parsed.version)} for ${parsed.env.name}…` });
        background.run('promote', () =>
          reply(deps, respond, async () => {
            await requestPromotion(deps, { env: parsed.env, version: parsed.version, apps: parsed.apps, user, channel: command.channel_id });
          }),
        );
        return;
    }
  });

  for (const name of LATER) {
    app.command(name, async ({ ack }) => {
      deps.metrics.command(name.slice(1));
      await ack({ response_type: 'ephemeral', text: `\`${name}\` is not available in this Flightdeck release yet. \`/deploy help\` shows what is.` });
    });
  }

  app.action(ACTION_APPROVE, async ({ ack, body, action }) => {
    await ack();
    const click = clickOf(body, action);
    background.run('approve', () => onClick(deps, click, () => approveRequest(deps, click.requestId, click.user)));
  });
  app.action(ACTION_REJECT, async ({ ack, body, action }) => {
    await ack();
    const click = clickOf(body, action);
    background.run('reject', () => onClick(deps, click, () => rejectRequest(deps, click.requestId, click.user)));
  });
}

interface Click {
  requestId: string;
  user: string;
  channel: string;
}

/** The parts of a block_actions payload we use; the value is only an id, authority is re-checked from the store. */
function clickOf(body: unknown, action: unknown): Click {
  const b = body as { user?: { id?: string }; channel?: { id?: string }; container?: { channel_id?: string } };
  const a = action as { value?: string };
  return { requestId: String(a.value ?? ''), user: String(b.user?.id ?? ''), channel: String(b.channel?.id ?? b.container?.channel_id ?? '') };
}

async function onClick(deps: WorkflowDeps, click: Click, work: () => Promise<void>): Promise<void> {
  try {
    await work();
  } catch (err) {
    await deps.chat.tellUser(click.channel, click.user, messageOf(err, deps, click.requestId));
  }
}

/** Runs command work and answers the person privately with any error. */
async function reply(deps: WorkflowDeps, respond: RespondFn, work: () => Promise<void>): Promise<void> {
  try {
    await work();
  } catch (err) {
    await respond({ response_type: 'ephemeral', replace_original: false, text: messageOf(err, deps, null) });
  }
}

function messageOf(err: unknown, deps: WorkflowDeps, runId: string | null): string {
  if (err instanceof UserError) return `:warning: ${err.message}`;
  const reference = runId ?? `err-${Math.random().toString(36).slice(2, 10)}`;
  deps.log.error({ err, runId: reference }, 'command failed');
  return `:x: Something failed on our side (reference ${reference}). Nothing was changed by this step; try again or ask the platform team.`;
}
