// Registers the deploy and rollback commands and buttons with Bolt; each family of commands lives in its own module
// (canary and incident commands are registered by their own wiring in app.ts).
import type { App } from '@slack/bolt';
import type { Background } from '../../runtime/background.js';
import type { WorkflowDeps } from '../../workflows/context.js';
import { registerDeployHandlers } from './deployHandlers.js';
import { registerRollbackHandlers } from './rollbackHandlers.js';

export function registerHandlers(app: App, deps: WorkflowDeps, background: Background): void {
  registerDeployHandlers(app, deps, background, ['/rollback', '/canary-status', '/incident']);
  registerRollbackHandlers(app, deps, background);
}
