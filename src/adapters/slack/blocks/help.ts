// Usage text of `/deploy` (SPEC §1), with examples people can copy.
import { escapeMrkdwn } from '../mrkdwn.js';

/** The help shown for `/deploy help`; `environments` (names) are listed when given. */
export function deployHelp(environments: string[] = []): string {
  const lines = [
    '*`/deploy`: promote releases and hold the line*',
    '`/deploy <env> <version> [app ...]`: promote a release to an environment (all its apps unless you name some). Checks run first; where the environment needs approvals, a request with *Approve* and *Reject* buttons is posted.',
    '`/deploy status [env]`: which version each app should run (git) and what Argo CD reports (sync, health).',
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
    'Versions are image tags such as `v3.0.0` (some environments require semver). Related: `/rollback <env> [version]`, `/canary-status [env]`, `/incident <sev1..sev4> <title>`.',
  ];
  if (environments.length > 0) lines.push(`Environments: ${environments.map((name) => `\`${escapeMrkdwn(name)}\``).join(', ')}`);
  return lines.join('\n');
}
