// `/rollback` and the "Revert in git" button after an aborted canary: ack at once, then the rollback workflow answers.
import type { App } from '@slack/bolt';
import { parseRollbackCommand } from '../../domain/rollbackCommand.js';
import { UserError } from '../../domain/problems.js';
import type { Background } from '../../runtime/background.js';
import type { WorkflowDeps } from '../../workflows/context.js';
import { requestRollback } from '../../workflows/rollback.js';
import { rollbackUsage } from '../../wording/problems.js';
import { escapeMrkdwn, slackWords } from './mrkdwn.js';
import { clickOf, messageOf, onClick, replyTo } from './replies.js';

export const ACTION_REVERT = 'rollback_revert';

export function registerRollbackHandlers(app: App, deps: WorkflowDeps, background: Background): void {
  app.command('/rollback', async ({ command, ack, respond }) => {
    deps.metrics.command('rollback');
    let parsed: ReturnType<typeof parseRollbackCommand>;
    try {
      parsed = parseRollbackCommand(deps.config, command.text);
    } catch (err) {
      await ack({ response_type: 'ephemeral', text: messageOf(err, deps, null) });
      return;
    }
    if (parsed.kind === 'help') {
      await ack({ response_type: 'ephemeral', text: ['*`/rollback`: go back to a version an environment ran*', ...rollbackUsage(slackWords)].join('\n') });
      return;
    }
    const what = parsed.version ? `${escapeMrkdwn(parsed.version)} in ${escapeMrkdwn(parsed.env.name)}` : `the previous version of ${escapeMrkdwn(parsed.env.name)}`;
    await ack({ response_type: 'ephemeral', text: `Looking up ${what}…` });
    background.run('rollback', () =>
      replyTo(deps, respond, async () => {
        await requestRollback(deps, { env: parsed.env, version: parsed.version, apps: parsed.apps, user: command.user_id, channel: command.channel_id });
      }),
    );
  });

  // After Flagger aborted a canary, git still names the version rolled back: one click asks for the rollback in git.
  app.action(ACTION_REVERT, async ({ ack, body, action }) => {
    await ack();
    const click = clickOf(body, action);
    background.run('rollback-revert', () =>
      onClick(deps, click, async () => {
        const aborted = await deps.store.getRequest(click.value);
        const env = aborted && deps.config.environments.find((e) => e.name === aborted.env);
        if (!aborted || !env) throw new UserError({ code: 'request-gone' });
        await requestRollback(deps, { env, version: null, apps: aborted.changes.map((c) => c.app), user: click.user, channel: aborted.channel });
      }),
    );
  });
}
