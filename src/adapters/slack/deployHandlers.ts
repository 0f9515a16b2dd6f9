// `/deploy` and the request buttons: ack at once, parse, then run the workflow after the ack and answer the person.
import type { App } from '@slack/bolt';
import { parseDeployCommand } from '../../domain/commands.js';
import type { Background } from '../../runtime/background.js';
import type { WorkflowDeps } from '../../workflows/context.js';
import { lockEnvironment, unlockEnvironment } from '../../workflows/locks.js';
import { approveRequest, rejectRequest, requestPromotion } from '../../workflows/promote.js';
import { retrySync } from '../../workflows/delivery/retry.js';
import { deployHistory, deployStatus } from '../../workflows/status.js';
import { deployHelp } from './blocks/help.js';
import { historyMessage } from './blocks/history.js';
import { lockMessage, unlockMessage } from './blocks/lock.js';
import { ACTION_APPROVE, ACTION_REJECT, ACTION_RETRY_SYNC } from './blocks/request.js';
import { statusMessage } from './blocks/status.js';
import { escapeMrkdwn } from './mrkdwn.js';
import { clickOf, messageOf, onClick, replyTo } from './replies.js';

/** `served`: the other slash commands this release answers, for help. */
export function registerDeployHandlers(app: App, deps: WorkflowDeps, background: Background, served: string[] = []): void {
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
    const later = (name: string, work: () => Promise<void>) => background.run(name, () => replyTo(deps, respond, work));
    switch (parsed.kind) {
      case 'help':
        await ack({ response_type: 'ephemeral', text: deployHelp(deps.config.environments.map((e) => e.name), served) });
        return;
      case 'status':
        await ack();
        later('deploy-status', async () => {
          await respond({ response_type: 'ephemeral', ...statusMessage(await deployStatus(deps, parsed.env?.name), deps.clock.now()) });
        });
        return;
      case 'history':
        await ack();
        later('deploy-history', async () => {
          await respond({ response_type: 'ephemeral', ...historyMessage(await deployHistory(deps, parsed.env?.name), parsed.env?.name) });
        });
        return;
      case 'lock':
        await ack();
        later('deploy-lock', async () => {
          const lock = await lockEnvironment(deps, { env: parsed.env, user, ...(parsed.durationMs ? { durationMs: parsed.durationMs } : {}), ...(parsed.reason ? { reason: parsed.reason } : {}) });
          await respond({ response_type: 'in_channel', text: lockMessage(lock, deps.clock.now()) });
        });
        return;
      case 'unlock':
        await ack();
        later('deploy-unlock', async () => {
          await unlockEnvironment(deps, { env: parsed.env, user });
          await respond({ response_type: 'in_channel', text: unlockMessage(parsed.env === '*' ? '*' : parsed.env.name, user) });
        });
        return;
      case 'promote':
        await ack({ response_type: 'ephemeral', text: `Checking ${escapeMrkdwn(parsed.version)} for ${escapeMrkdwn(parsed.env.name)}…` });
        later('promote', async () => {
          await requestPromotion(deps, { env: parsed.env, version: parsed.version, apps: parsed.apps, user, channel: command.channel_id });
        });
        return;
    }
  });

  app.action(ACTION_APPROVE, async ({ ack, body, action }) => {
    await ack();
    const click = clickOf(body, action);
    background.run('approve', () => onClick(deps, click, () => approveRequest(deps, click.value, click.user)));
  });
  app.action(ACTION_REJECT, async ({ ack, body, action }) => {
    await ack();
    const click = clickOf(body, action);
    background.run('reject', () => onClick(deps, click, () => rejectRequest(deps, click.value, click.user)));
  });
  app.action(ACTION_RETRY_SYNC, async ({ ack, body, action }) => {
    await ack();
    const click = clickOf(body, action);
    background.run('retry-sync', () => onClick(deps, click, async () => void (await retrySync(deps, click.value, click.user))));
  });
}
