// Who can be played in the sandbox page: every Slack user the config and the user groups name, with the roles the config gives them.
import type { Config } from '../../config/schema.js';

export interface Person {
  id: string;
  name: string;
  /** "approves staging", "deploys to dev", "paged for sev1" */
  roles: string[];
}

/** Friendly names for the example pipeline's people; anyone else is shown by id. */
const NAMES: Record<string, string> = {
  U0DEV: 'Dana Developer',
  U0LEAD: 'Lee Lead',
  U0EXEC1: 'Eva Exec',
  U0EXEC2: 'Ezra Exec',
  U0EXEC3: 'Emil Exec',
  U0ONCALL: 'Otto On-call',
  U0LEADS: 'Lou Leads',
  U0CTO: 'Cleo CTO',
};

interface Audience {
  users: string[];
  groups: string[];
}

/** The people of the sandbox, the requester first; `groups` maps user group ids to their members. */
export function peopleOf(config: Config, groups: Record<string, string[]>, requester: string): Person[] {
  const roles = new Map<string, string[]>([[requester, []]]);
  const grant = (audience: Audience | undefined, role: string) => {
    if (!audience) return;
    const ids = [...audience.users, ...audience.groups.flatMap((g) => groups[g] ?? [])];
    for (const id of ids) roles.set(id, [...(roles.get(id) ?? []), role]);
  };
  for (const env of config.environments) {
    grant(env.deployers, `deploys to ${env.name}`);
    if (env.approval.required > 0) grant(env.approval.approvers, `approves ${env.name}`);
    if (env.rollback && env.rollback.required > 0) grant(env.rollback.approvers, `approves ${env.name} rollbacks`);
  }
  for (const [sev, severity] of Object.entries(config.incidents.severities ?? {})) {
    grant(severity?.page, `paged for ${sev}`);
    severity?.escalate.forEach((tier, i) => grant(tier, `escalation ${i + 1} for ${sev}`));
  }
  for (const members of Object.values(groups)) for (const id of members) if (!roles.has(id)) roles.set(id, []);
  return [...roles].map(([id, r]) => ({ id, name: NAMES[id] ?? id, roles: merged([...new Set(r)]) }));
}

/** "paged for sev1", "paged for sev2" -> "paged for sev1/sev2", so the switcher stays one short line per person. */
function merged(roles: string[]): string[] {
  const byPrefix = new Map<string, string[]>();
  for (const role of roles) {
    const at = role.lastIndexOf(' ');
    const prefix = role.slice(0, at);
    byPrefix.set(prefix, [...(byPrefix.get(prefix) ?? []), role.slice(at + 1)]);
  }
  return [...byPrefix].map(([prefix, tails]) => `${prefix} ${tails.join('/')}`);
}

/** `S0EXEC` -> `exec`: the handle a user group is mentioned by. */
export function groupHandle(id: string): string {
  return id.replace(/^S0?/, '').toLowerCase();
}
