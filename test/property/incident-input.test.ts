// Properties of /incident over hostile severities, titles and updates, through signed slash commands: a bad severity is refused
// specifically with nothing created; a hostile title becomes a valid channel name and, like an update, reaches Slack only as
// inert text (no mass mention, user, channel or link control sequence anywhere Flightdeck posts).
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import type { Running } from '../support/harness.js';
import { hostileText, hostileWord, injectedSequences, markSlack, PROPERTY_TIMEOUT_MS, RUNS, slackTextsSince, typed, type SlackMark } from '../support/hostile-text.js';
import { startIncidentRig, type IncidentRig } from '../support/incident-driver.js';

let rig: IncidentRig | undefined;
afterEach(async () => {
  await rig?.close();
  rig = undefined;
});

const SEVERITY = /^(sev-?[1-4]|[1-4])$/i;
const KEYWORDS = /^(list|resolve|sev|update|lead|help)$/i;

/** Everything Flightdeck said to the user since the mark: the command's answers and ephemeral messages. */
function toUser(run: Running, mark: SlackMark, said: string, user: string): string {
  const ephemerals = run.world.slack.calls.slice(mark.calls).filter((c) => c.method === 'chat.postEphemeral' && c.args.user === user);
  return [said, ...ephemerals.map((c) => String(c.args.text ?? ''))].join('\n').trim();
}

const created = (run: Running, mark: SlackMark) => run.world.slack.calls.slice(mark.calls).filter((c) => c.method === 'conversations.create');

describe('hostile /incident arguments', { timeout: PROPERTY_TIMEOUT_MS }, () => {
  it('severities: refused specifically, no channel, page or postmortem', async () => {
    rig = await startIncidentRig();
    const run = rig.fd;
    await fc.assert(
      fc.asyncProperty(
        hostileWord.filter((w) => !SEVERITY.test(w) && !KEYWORDS.test(w)),
        hostileText,
        async (severity, title) => {
          const mark = markSlack(run);
          const pages = rig!.pager.calls.length;
          const { said } = await typed(run, `${severity} ${title}`, 'U0ANA', { command: '/incident', channel: 'C0GENERAL' });
          const answer = toUser(run, mark, said, 'U0ANA');
          expect(answer).toMatch(/:warning:|sev1/);
          expect(answer).not.toMatch(/Something failed/);
          expect(injectedSequences(slackTextsSince(run, mark))).toEqual([]);
          expect(created(run, mark)).toEqual([]);
          expect(rig!.pager.calls.length).toBe(pages);
        },
      ),
      RUNS,
    );
  });

  it('titles and updates: a valid channel name, and inert text wherever Flightdeck posts them', async () => {
    rig = await startIncidentRig();
    const run = rig.fd;
    let declared = 0;
    let updates = 0;
    await fc.assert(
      fc.asyncProperty(fc.constantFrom('sev3', 'SEV-4', '4'), hostileText, hostileText, async (severity, title, update) => {
        const mark = markSlack(run);
        const { said } = await typed(run, `${severity} ${title}`, 'U0ANA', { command: '/incident', channel: 'C0GENERAL' });
        expect(said).not.toMatch(/Something failed/);
        const channels = created(run, mark);
        if (channels.length === 0) {
          // only a title with nothing in it may be refused
          expect(toUser(run, mark, said, 'U0ANA')).toMatch(/:warning:/);
        } else {
          expect(channels).toHaveLength(1);
          expect(String(channels[0]!.args.name)).toMatch(/^[a-z0-9][a-z0-9_-]{0,79}$/);
          const channel = run.world.slack.channels().find((c) => c.name === channels[0]!.args.name)!;
          declared += 1;
          const before = run.world.slack.calls.length;
          const updated = await typed(run, `update ${update}`, 'U0ANA', { command: '/incident', channel: channel.id });
          expect(updated.said).not.toMatch(/Something failed/);
          if (run.world.slack.calls.slice(before).some((c) => c.method === 'chat.postMessage' && c.args.channel === channel.id)) updates += 1;
        }
        expect(injectedSequences(slackTextsSince(run, mark))).toEqual([]);
      }),
      { ...RUNS, numRuns: 6 },
    );
    // the property saw declared incidents and posted updates, not only refusals
    expect(declared).toBeGreaterThan(0);
    expect(updates).toBeGreaterThan(0);
  });
});
