// Registers every slash command and button with Bolt; each family of commands lives in its own module.
import type { App } from '@slack/bolt';
import type { Background } from '../../runtime/background.js';
import type { WorkflowDeps } from '../../workflows/context.js';
import { registerDeployHandlers } from './deployHandlers.js';

const LATER = ['/rollback'];

export function registerHandlers(app: App, deps: WorkflowDeps, background: Background): void {
  registerDeployHandlers(app, deps, background, ['/rollback', '/canary-status', '/incident'].filter((name) => !LATER.includes(name)));
  for (const name of LATER) {
    app.command(name, async ({ ack }) => {
      deps.metrics.command(name.slice(1));
      await ack({ response_type: 'ephemeral', text: `\`${name}\` is not available in this Flightdeck release yet. \`/deploy help\` shows what is.` });
    });
  }
}
