// Usage text of `/deploy` (SPEC §1), with examples people can copy.
import { escapeMrkdwn } from '../mrkdwn.js';

/** Usage of the other commands, listed in help only when this release serves them. */
const RELATED: Record<string, string> = {
  '/rollback': '`/rollback <env> [version]`',
  '/canary-status': '`/canary-status [env]`',
  '/incident': '`/incident <sev1..sev4> <title>`',
};

/** The help shown for `/deploy help`; `environments` (names) are listed when given, and the other commands served. */
export function deployHelp(environments: string[] = [], served: string[] = []): string {
  const lines = [
    '*`/deploy`: promote releases and hold the line*',
    '`/deploy <env> <version> [app ...]`: promote a release to an environment (all its apps unless you name some). Checks run first; where the environment needs approvals, a request with *Approve* and *Reject* buttons is posted.',
    '`/deploy status [env]`: which version each app should run (git) and what Argo CD reports (sync, health), requests waiting for approval and locks.',
    '`/deploy history [env]`: the last deploys and rollbacks: who, what, when, how they ended, with links.',
    '`/deploy lock <env|all> [for <duration>] [reason]`: hold one environment or all of them. No deploy starts while locked; rollbacks still may. Durations: `30m`, `2h`, `1d`.',
    '`/deploy unlock <env|all>`: lift the hold.',
    '`/deploy help`: this text.',
    '',
    '*Examples*',
    '• `/deploy staging v3.0.0`: everything in staging to v3.0.0',
    '• `/deploy prod v3.0.0 backend`: only backend, in production (aliases work)',
    '• `/deploy status production`',
    '• `/deploy lock production for 2h release freeze for the migration`',
    '• `/deploy lock all incident INC-42`',
    '• `/deploy unlock all`',
    '',
    'Versions are image tags such as `v3.0.0` (some environments require semver).',
  ];
  const related = served.map((name) => RELATED[name]).filter((usage): usage is string => usage !== undefined);
  if (related.length > 0) lines.push(`Related: ${related.join(', ')}.`);
  if (environments.length > 0) lines.push(`Environments: ${environments.map((name) => `\`${escapeMrkdwn(name)}\``).join(', ')}`);
  return lines.join('\n');
}
