// Pure incident rules: channel names, command parsing, severities, tiers, runbooks, the production freeze.
import { describe, expect, it } from 'vitest';
import { channelSlug, incidentChannelName } from '../../src/domain/incidentChannel.js';
import { parseIncidentCommand, parseUserMention } from '../../src/domain/incidentCommands.js';
import { IncidentRefusal } from '../../src/domain/incidentEvents.js';
import { audienceAt, escalationDueAt, incidentFreeze, knownSeverities, pagerSeverity, rulesOf, runbooksFor, suggestedSeverity, type IncidentsConfigView } from '../../src/domain/incidentPolicy.js';
import { canMove, parseSeverity, type Incident } from '../../src/domain/incidents.js';

const SLACK_NAME = /^[a-z0-9_-]{1,80}$/;

const config: IncidentsConfigView = {
  severities: {
    sev1: { respondWithin: 900_000, page: { users: [], groups: ['S0ONCALL'] }, escalate: [{ users: [], groups: ['S0LEADS'] }, { users: ['U0CTO'], groups: [] }], freezeProduction: true },
    sev3: { respondWithin: 14_400_000, page: { users: [], groups: ['S0TEAM'] }, escalate: [], freezeProduction: false },
  },
  runbooks: { crashloop: 'https://runbooks.example/crashloop', 'high-memory': 'https://runbooks.example/memory', database: 'https://runbooks.example/db' },
};

function anIncident(overrides: Partial<Incident> = {}): Incident {
  return {
    number: 7, severity: 'sev1', title: 't', state: 'open', declarer: 'U1', commander: 'U1', channel: 'C7', channelName: 'inc-7-t', cardTs: '1.1',
    declaredAt: 1_000, clockStartedAt: 1_000, tier: 0, acknowledgedAt: null, acknowledgedBy: null, resolvedAt: null, resolvedBy: null,
    summary: null, pagerKey: null, postmortemUrl: null, origin: null, updatedAt: 1_000, ...overrides,
  };
}

describe('incident channel names', () => {
  it('follows the spec example', () => {
    expect(incidentChannelName(42, 'checkout is failing')).toBe('inc-42-checkout-is-failing');
  });
  it('folds accents and drops emoji and punctuation', () => {
    expect(incidentChannelName(3, 'Zahlung schlägt fehl 🔥🔥 (Straße!)')).toBe('inc-3-zahlung-schlagt-fehl-strasse');
    expect(incidentChannelName(3, '🔥🔥🔥')).toBe('inc-3');
    expect(incidentChannelName(3, 'Оплата не работает')).toBe('inc-3');
    expect(incidentChannelName(3, '<!channel> & @here')).toBe('inc-3-channel-here');
  });
  it('keeps 200-character titles within 80 characters and never ends in a dash', () => {
    const title = 'database connections exhausted '.repeat(7).slice(0, 200);
    for (const attempt of [1, 2, 13]) {
      const name = incidentChannelName(12345, title, attempt);
      expect(name).toMatch(SLACK_NAME);
      expect(name.length).toBeLessThanOrEqual(80);
      expect(name).not.toMatch(/[-_]$|--/);
      if (attempt > 1) expect(name.endsWith(`-${attempt}`)).toBe(true);
    }
    expect(incidentChannelName(1, 'x'.repeat(200))).toHaveLength(80);
  });
  it('adds a suffix per attempt', () => {
    expect(incidentChannelName(42, 'checkout', 2)).toBe('inc-42-checkout-2');
    expect(channelSlug('  --A_b--  ')).toBe('a_b');
  });
});

describe('/incident parsing', () => {
  const known = ['sev1', 'sev2', 'sev3', 'sev4'] as const;
  it('accepts forgiving severity forms', () => {
    for (const form of ['sev1', 'SEV-1', 'Sev_1', '1', 's1']) expect(parseIncidentCommand(`${form} checkout is failing`, [...known])).toEqual({ kind: 'declare', severity: 'sev1', title: 'checkout is failing' });
    expect(parseSeverity('sev5')).toBeNull();
  });
  it('parses the channel commands', () => {
    expect(parseIncidentCommand('list', [...known])).toEqual({ kind: 'list' });
    expect(parseIncidentCommand('resolve', [...known])).toEqual({ kind: 'resolve' });
    expect(parseIncidentCommand('sev 2', [...known])).toEqual({ kind: 'sev', severity: 'sev2' });
    expect(parseIncidentCommand('update   db  is back <!here>', [...known])).toEqual({ kind: 'update', text: 'db  is back <!here>' });
    expect(parseIncidentCommand('lead <@U0ALICE|alice>', [...known])).toEqual({ kind: 'lead', user: 'U0ALICE' });
    expect(parseIncidentCommand('', [...known])).toEqual({ kind: 'help' });
  });
  it('refuses with a specific problem', () => {
    const problem = (text: string, k: readonly string[] = known) => {
      try {
        parseIncidentCommand(text, [...k] as never);
      } catch (err) {
        return (err as IncidentRefusal).problem;
      }
      return null;
    };
    expect(problem('sev1')).toMatchObject({ code: 'incident-usage', usage: 'no-title' });
    expect(problem('sev9 title')).toMatchObject({ code: 'incident-usage', usage: 'unknown' });
    expect(problem('sev x')).toMatchObject({ code: 'incident-usage', usage: 'sev-argument' });
    expect(problem('lead alice')).toMatchObject({ code: 'incident-usage', usage: 'lead-argument' });
    expect(problem('update')).toMatchObject({ code: 'incident-usage', usage: 'update-text' });
    expect(problem('sev2 x', ['sev1', 'sev3'])).toEqual({ code: 'unknown-severity', given: 'sev2', known: ['sev1', 'sev3'] });
    expect(parseUserMention('<@U0BOB>')).toBe('U0BOB');
    expect(parseUserMention('@bob')).toBeNull();
  });
});

describe('severity rules', () => {
  it('uses the configured severities, or SPEC targets when none are configured', () => {
    expect(knownSeverities(config)).toEqual(['sev1', 'sev3']);
    expect(rulesOf(config, 'sev2')).toBeNull();
    expect(rulesOf({ runbooks: {} }, 'sev2')?.respondWithin).toBe(3_600_000);
    expect(pagerSeverity('sev1')).toBe('critical');
    expect(pagerSeverity('sev4')).toBe('info');
    expect(suggestedSeverity('production', ['sev1', 'sev2', 'sev3'])).toBe('sev2');
    expect(suggestedSeverity('staging', ['sev1', 'sev2', 'sev3'])).toBe('sev3');
  });
  it('escalates tier by tier, each with the full target, and stops after the last', () => {
    const rules = rulesOf(config, 'sev1')!;
    expect(audienceAt(rules, 0)).toEqual({ users: [], groups: ['S0ONCALL'] });
    expect(audienceAt(rules, 2)).toEqual({ users: ['U0CTO'], groups: [] });
    expect(audienceAt(rules, 3)).toBeNull();
    expect(escalationDueAt(anIncident(), rules)).toBe(901_000);
    expect(escalationDueAt(anIncident({ tier: 1, clockStartedAt: 5_000 }), rules)).toBe(905_000);
    expect(escalationDueAt(anIncident({ tier: 2 }), rules)).toBeNull();
    expect(escalationDueAt(anIncident({ state: 'acknowledged' }), rules)).toBeNull();
  });
  it('matches runbooks by keyword in the title, else lists all', () => {
    expect(runbooksFor(config.runbooks, 'Checkout pods in CrashLoopBackOff').map((r) => r.name)).toEqual(['crashloop']);
    expect(runbooksFor(config.runbooks, 'High memory on api').map((r) => r.name)).toEqual(['high-memory']);
    expect(runbooksFor(config.runbooks, 'something odd')).toHaveLength(3);
  });
  it('freezes production only, for open incidents whose severity freezes it', () => {
    const sev1 = anIncident({ number: 1, severity: 'sev1' });
    const sev3 = anIncident({ number: 2, severity: 'sev3' });
    expect(incidentFreeze([sev3, sev1], config, 'production')?.number).toBe(1);
    expect(incidentFreeze([sev3, sev1], config, { name: 'live', aliases: ['prod'] })?.number).toBe(1);
    expect(incidentFreeze([sev1], config, 'staging')).toBeNull();
    expect(incidentFreeze([sev3], config, 'production')).toBeNull();
    expect(incidentFreeze([anIncident({ state: 'resolved' })], config, 'production')).toBeNull();
  });
  it('allows only the moves of the state table', () => {
    expect(canMove('open', 'acknowledged')).toBe(true);
    expect(canMove('acknowledged', 'open')).toBe(true);
    expect(canMove('resolved', 'open')).toBe(false);
  });
});
