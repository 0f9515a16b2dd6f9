// Hostile user text for the property suite (mrkdwn control sequences, YAML and shell metacharacters, unicode, newlines, very
// long input) and the checks it runs on what the app did: every Slack text scanned for injected control sequences, and a
// snapshot of what must not change when a command is refused.
import fc from 'fast-check';
import type { Running } from './harness.js';

/** Control sequences a person might smuggle in; each names a marker (EVIL, evil.example) no legitimate output contains. */
export const CONTROL_SEQUENCES = ['<!channel>', '<!here>', '<!everyone>', '<@UEVIL1>', '<#CEVIL1|general>', '<!subteam^SEVIL1>', '<http://evil.example|click here>', '<https://evil.example>', '<!date^0^{date}|EVILDATE>'];
const YAML = [': ', '- ', '# ', '&anchor ', '*anchor', '!!python/object:os.system ', '{a: b}', '[x]', '|', '>-', '---', "'", '"', 'newTag: pwned', '\t'];
const SHELL = ['$(touch /tmp/pwned)', '`id`', '; rm -rf /', '&& curl evil.example', '|| true', '> /etc/passwd', '$HOME', '\\'];
const MRKDWN = ['*bold*', '_it_', '~s~', '`code`', '```block```', '&amp;', '&lt;', '&gt;', '&', '<', '>', '<<>>', ':rotating_light:'];
const UNICODE = ['\u202e', '\u200b', 'é', 'ß', '中文', '🚀', '👩‍👩‍👧', 'Ω≈ç√', '\u0000', '\uFEFF'];
const BREAKS = ['\n', '\r\n', '\n\n', ' ', '  '];

const fragment = fc.oneof(
  { arbitrary: fc.constantFrom(...CONTROL_SEQUENCES), weight: 4 },
  { arbitrary: fc.constantFrom(...YAML, ...SHELL), weight: 3 },
  { arbitrary: fc.constantFrom(...MRKDWN, ...UNICODE, ...BREAKS), weight: 3 },
  { arbitrary: fc.string({ unit: 'grapheme', maxLength: 12 }), weight: 2 },
  { arbitrary: fc.stringMatching(/^[a-z0-9.-]{1,10}$/), weight: 2 },
);

/** Text a person could type: at least one hostile fragment, sometimes thousands of characters. */
export const hostileText: fc.Arbitrary<string> = fc.oneof(
  { arbitrary: fc.array(fragment, { minLength: 1, maxLength: 6 }).map((parts) => parts.join('')), weight: 6 },
  { arbitrary: fc.tuple(fc.constantFrom(...CONTROL_SEQUENCES), fc.integer({ min: 200, max: 900 })).map(([s, n]) => `${s} `.repeat(n)), weight: 1 },
);

/** Hostile text that holds no blank (one argument of a command) and is not empty. */
export const hostileWord: fc.Arbitrary<string> = hostileText.map((t) => t.replace(/\s+/g, '')).filter((t) => t.length > 0);

/**
 * Every string in a recorded value that Slack would read as mrkdwn, JSON strings (blocks, views as sent form-encoded) opened
 * up. Block Kit `plain_text` objects are left out: Slack shows them literally, so a control sequence there is inert.
 */
export function stringsIn(value: unknown, out: string[] = []): string[] {
  if (typeof value === 'string') {
    out.push(value);
    if (/^\s*[[{]/.test(value)) {
      try {
        stringsIn(JSON.parse(value), out);
      } catch {
        // not JSON: the string itself was kept
      }
    }
  } else if (Array.isArray(value)) value.forEach((v) => stringsIn(v, out));
  else if (value && typeof value === 'object') {
    if ((value as { type?: unknown }).type === 'plain_text') return out;
    Object.values(value).forEach((v) => stringsIn(v, out));
  }
  return out;
}

/** Control sequences that came from the hostile text and reached Slack unescaped (empty: none did). */
export function injectedSequences(texts: string[]): string[] {
  const marker = /<(?:!channel|!here|!everyone|!date\^0\^|@UEVIL|#CEVIL|!subteam\^SEVIL|https?:\/\/evil\.example)[^>]*>?/g;
  return texts.flatMap((t) => t.match(marker) ?? []);
}

/** A place in the recorded Slack traffic, to read only what came after it. */
export interface SlackMark {
  calls: number;
  responses: number;
}

export function markSlack(fd: Running): SlackMark {
  return { calls: fd.world.slack.calls.length, responses: fd.world.slack.responses.length };
}

/** Every text Flightdeck sent to Slack since the mark: Web API calls (any argument) and response_url posts. */
export function slackTextsSince(fd: Running, mark: SlackMark): string[] {
  const calls = fd.world.slack.calls.slice(mark.calls).map((c) => c.args);
  const responses = fd.world.slack.responses.slice(mark.responses).map((r) => r.body);
  return stringsIn([calls, responses]);
}

/** What a refused command must leave as it was. */
export interface Snapshot {
  gitopsHead: string;
  overlays: Array<string | null>;
  clusterWrites: number;
  requests: string[];
  locks: string;
}

const OVERLAYS = ['dev', 'staging', 'production'].map((env) => `k8s/overlays/${env}/kustomization.yaml`);
const WRITES = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

export async function snapshot(fd: Running): Promise<Snapshot> {
  return {
    gitopsHead: await fd.world.github.headSha('acme/gitops'),
    overlays: await Promise.all(OVERLAYS.map((path) => fd.world.github.readFile('acme/gitops', path))),
    clusterWrites: fd.world.kube.calls.filter((c) => WRITES.has(c.method)).length,
    requests: (await fd.app.store.recentRequests(null, 1_000)).map((r) => `${r.id}:${r.state}`),
    locks: JSON.stringify(await fd.app.store.listLocks()),
  };
}

/** A command as typed, with everything it said back: the ack's body and the answers to its response_url. */
export async function typed(fd: Running, text: string, user: string, opts: { command?: string; channel?: string } = {}): Promise<{ said: string; status: number }> {
  const res = await fd.slash(text, user, opts);
  await fd.settled();
  const answers = fd.world.slack.responses.filter((r) => r.url === res.responseUrl).map((r) => stringsIn(r.body).join('\n'));
  let ack = res.body;
  try {
    ack = stringsIn(JSON.parse(res.body)).join('\n');
  } catch {
    // a plain-text ack
  }
  return { said: [ack, ...answers].join('\n').trim(), status: res.status };
}

/** fast-check settings of the suite: few runs (each drives the whole app), and the seed printed on failure. */
export const RUNS = { numRuns: 8, endOnFailure: true } as const;

/** A property drives the app a few dozen times: its test may take longer than one end-to-end test on a busy machine. */
export const PROPERTY_TIMEOUT_MS = 180_000;
