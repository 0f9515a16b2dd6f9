// Hardening report: drives Flightdeck against the fakes with bad input in every user-text field and with each upstream fault
// the fakes can inject, and prints what was tried, refused or recovered, and what changed or was duplicated (both must be 0).
// BENCH_ONLY_INPUTS=1 skips the faults; BENCH_VERBOSE=1 names each bad input that changed something.
import { KubeConfig } from '@kubernetes/client-node';
import { createFlightdeck, type Flightdeck, type FlightdeckOptions } from '../src/app.js';
import { loadConfig, loadEnv } from '../src/config/loader.js';
import { ManualClock } from '../src/runtime/clock.js';
import { createLogger } from '../src/runtime/logger.js';
import { githubFaults, kubeFaults, slackFaults } from '../src/sandbox/faults.js';
import { startPagerFake, type PagerFake } from '../src/sandbox/pager/server.js';
import { blockActionBody, postToSlackEndpoint, slashCommandBody } from '../src/sandbox/slack/requests.js';
import { EXAMPLE_CONFIG, SIGNING_SECRET, startWorld, type World } from '../src/sandbox/world.js';

const ROUTING_KEY = 'R0UTINGKEY0123456789abcdef012345';
const config = (pagerUrl: string) => `${EXAMPLE_CONFIG}incidents:
  severities:
    sev1: { respondWithin: 15m, page: { groups: [S0ONCALL] } }
    sev2: { respondWithin: 1h, page: { groups: [S0ONCALL] } }
    sev3: { respondWithin: 4h, page: { groups: [S0ONCALL] } }
    sev4: { respondWithin: 1d, page: { groups: [S0ONCALL] } }
  pager: { url: "${pagerUrl}", routingKeyEnv: PAGER_ROUTING_KEY, severities: [sev1] }
`;

interface Rig {
  world: World;
  app: Flightdeck;
  url: string;
  pager: PagerFake;
  close(): Promise<void>;
}

async function rig(options: FlightdeckOptions = {}): Promise<Rig> {
  const pager = await startPagerFake({ routingKey: ROUTING_KEY });
  const world = await startWorld({ config: config(pager.url) });
  const settings = loadEnv(world.env);
  const kubeconfig = new KubeConfig();
  kubeconfig.loadFromFile(world.kubeconfigPath);
  const app = await createFlightdeck(settings, loadConfig(settings.configPath).config, { logger: createLogger('silent'), kubeconfig, cronTick: false, env: { PAGER_ROUTING_KEY: ROUTING_KEY }, ...options });
  const url = `http://127.0.0.1:${await app.listen(0, '127.0.0.1')}`;
  return { world, app, url, pager, close: async () => (await app.stop(), await world.close(), await pager.close()) };
}

async function slash(r: Rig, command: string, text: string, user: string, channel = 'C0DEPLOYS'): Promise<string> {
  const responseUrl = r.world.slack.responseUrl();
  const res = await postToSlackEndpoint(`${r.url}/slack/events`, SIGNING_SECRET, slashCommandBody({ command, text, userId: user, channelId: channel, responseUrl }));
  await r.app.settled();
  return [res.body, ...r.world.slack.responses.filter((x) => x.url === responseUrl).map((x) => JSON.stringify(x.body))].join('\n');
}

async function approve(r: Rig, id: string): Promise<void> {
  await postToSlackEndpoint(`${r.url}/slack/events`, SIGNING_SECRET, blockActionBody({ actionId: 'deploy_approve', value: id, userId: 'U0LEAD', channelId: 'C0DEPLOYS', messageTs: '1.000', responseUrl: r.world.slack.responseUrl() }));
  await r.app.settled();
}

const requestsPosted = (r: Rig) => r.world.slack.messages('C0DEPLOYS').filter((m) => !m.thread_ts && m.blocks);
const requestId = (r: Rig) => /\bfd-[0-9a-f]{10}\b/.exec(JSON.stringify(requestsPosted(r).at(-1) ?? ''))?.[0] ?? '';
/** Control sequences of the bad input that reached Slack as such (plain_text block objects are shown literally: inert). */
const INJECTED = /<(?:!channel|!here|!everyone|@UEVIL|!subteam\^SEVIL|https?:\/\/evil)/g;
function injected(r: Rig, from: number): number {
  const strip = (v: unknown): unknown => (Array.isArray(v) ? v.map(strip) : v && typeof v === 'object' ? ((v as { type?: string }).type === 'plain_text' ? null : Object.fromEntries(Object.entries(v).map(([k, x]) => [k, strip(typeof x === 'string' && /^\s*[[{]/.test(x) ? safeJson(x) : x)]))) : v);
  const text = JSON.stringify([r.world.slack.calls.slice(from).map((c) => strip(c.args)), r.world.slack.responses.map((x) => strip(x.body))]);
  return (text.match(INJECTED) ?? []).length;
}
function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

async function state(r: Rig): Promise<string> {
  const overlays = await Promise.all(['dev', 'staging', 'production'].map((e) => r.world.github.readFile('acme/gitops', `k8s/overlays/${e}/kustomization.yaml`)));
  const writes = r.world.kube.calls.filter((c) => c.method !== 'GET').length;
  const requests = (await r.app.store.recentRequests(null, 1000)).map((q) => `${q.id}:${q.state}`);
  return JSON.stringify([await r.world.github.headSha('acme/gitops'), overlays, writes, requests, await r.app.store.listLocks(), r.world.slack.channels().length]);
}

const BAD = ['<!channel>', '<@UEVIL1> hi', '<http://evil.example|click>', '<!subteam^SEVIL1>', 'a: b', '&x *x', '!!python/object:os.system', '$(touch /tmp/pwned)', '`id`;rm -rf /', '\u202e\u200b中文🚀', 'x\nnewTag: pwned', 'v3.0.0\n<!here>', '<!everyone> '.repeat(400), 'ä'.repeat(3000)];
/** Durations that read as durations but are out of bounds (`for <text>` that is no duration is part of the reason). */
const DURATIONS = ['999999999d', '99999999999999999999s', '366d', '100000h', '9007199254740993m', '0s'];
const FIELDS: Array<[string, string, (bad: string) => string, string[]]> = [
  ['version', '/deploy', (b) => `staging ${b}`, BAD],
  ['environment', '/deploy', (b) => `${b} v3.0.0`, BAD],
  ['app', '/deploy', (b) => `staging v3.0.0 ${b}`, BAD],
  ['duration', '/deploy', (b) => `lock staging for ${b} reason`, DURATIONS],
  ['rollback', '/rollback', (b) => `${b}`, BAD],
  ['canary-status', '/canary-status', (b) => `${b} backend`, BAD],
  ['severity', '/incident', (b) => `${b} title`, BAD],
];

async function badInputs(): Promise<void> {
  const r = await rig({ webApiRetries: 0, githubResilient: false });
  let tried = 0, refused = 0, changed = 0, leaks = 0, generic = 0;
  for (const [, command, text, bads] of FIELDS) {
    for (const bad of bads) {
      const before = await state(r);
      const mark = r.world.slack.calls.length;
      const said = await slash(r, command, text(bad.replace(/\s+/g, '')), 'U0DEV', command === '/incident' ? 'C0GENERAL' : 'C0DEPLOYS');
      tried += 1;
      if (/:warning:/.test(said)) refused += 1;
      if (/Something failed/.test(said)) generic += 1;
      if ((await state(r)) !== before) {
        changed += 1;
        if (process.env.BENCH_VERBOSE) console.log(`changed: ${command} ${JSON.stringify(text(bad)).slice(0, 80)} -> ${said.slice(0, 200)}`);
      }
      leaks += injected(r, mark);
    }
  }
  // reasons and titles are kept, as inert text: locks and incidents with bad text, then nothing of them leaks into Slack
  let kept = 0;
  for (const bad of BAD) {
    const mark = r.world.slack.calls.length;
    await slash(r, '/deploy', `lock staging for 1h ${bad}`, 'U0LEAD');
    kept += (await r.app.store.listLocks()).length;
    await slash(r, '/deploy', 'unlock staging', 'U0LEAD');
    await slash(r, '/incident', `sev4 ${bad}`, 'U0DEV', 'C0GENERAL');
    leaks += injected(r, mark);
  }
  await r.close();
  console.log(`bad inputs: tried ${tried}, refused ${refused}, answered "Something failed" ${generic}, changed anything ${changed} (must be 0)`);
  console.log(`bad reasons and titles kept as text: ${kept} locks, ${BAD.length} incidents; control sequences that reached Slack: ${leaks} (must be 0)`);
}

interface Outcome {
  recovered: boolean;
  duplicated: number;
}

/** One staging promotion with a fault injected at the named moment; recovered = it succeeded, duplicated = extra effects. */
async function promotion(r: Rig, inject: (r: Rig) => void, when: 'request' | 'approve', during?: (r: Rig) => Promise<void>): Promise<Outcome> {
  if (when === 'request') inject(r);
  await slash(r, '/deploy', 'staging v3.0.0', 'U0DEV');
  const id = requestId(r);
  if (when === 'approve') inject(r);
  const approved = approve(r, id);
  if (during) await during(r);
  await approved;
  const commits = (await r.world.github.log('acme/gitops')).filter((c) => c.message.startsWith('Deploy staging')).length;
  const syncs = r.world.kube.calls.filter((c) => c.method === 'PATCH' && /shop-staging$/.test(c.path) && (c.body as { operation?: unknown })?.operation && (c.status ?? 500) < 300).length;
  const thread = r.world.slack.messages('C0DEPLOYS').filter((m) => m.thread_ts).map((m) => `${m.thread_ts}:${m.text}`);
  const duplicated = Math.max(0, commits - 1) + Math.max(0, syncs - 1) + (thread.length - new Set(thread).size) + Math.max(0, requestsPosted(r).length - 1);
  return { recovered: (await r.app.store.getRequest(id))?.state === 'succeeded', duplicated };
}

const STAGING_FILE = '/repos/acme/gitops/contents/k8s/overlays/staging/kustomization.yaml';
const CHECKS = '/repos/acme/backend/commits/tags/v3.0.0/check-runs';
const APP = /^\/apis\/argoproj\.io\/v1alpha1\/namespaces\/argocd\/applications\/shop-staging$/;
const WATCH = /^\/apis\/argoproj\.io\/v1alpha1\/namespaces\/argocd\/applications$/;
const syncAsked = async (r: Rig) => {
  for (let i = 0; i < 2000 && !r.world.slack.messages('C0DEPLOYS').some((m) => /Asked Argo CD to sync/.test(m.text)); i++) await new Promise((s) => setTimeout(s, 10));
};

const SCENARIOS: Array<[string, (r: Rig) => Promise<Outcome>]> = [
  ['GitHub 502 on a read', (r) => promotion(r, () => r.world.github.faults.inject({ method: 'GET', path: CHECKS, ...githubFaults.serverError(502) }), 'request')],
  ['GitHub 429 + Retry-After on the commit', (r) => promotion(r, () => r.world.github.faults.inject({ method: 'PUT', path: STAGING_FILE, ...githubFaults.tooManyRequests(1) }), 'approve')],
  ['GitHub secondary rate limit on a read', (r) => promotion(r, () => r.world.github.faults.inject({ method: 'GET', path: CHECKS, ...githubFaults.secondaryRateLimit(1) }), 'request')],
  ['GitHub lost answer to the commit', (r) => promotion(r, () => r.world.github.faults.inject({ method: 'PUT', path: STAGING_FILE, kind: 'lost' }), 'approve')],
  ['GitHub slow answers', (r) => promotion(r, () => r.world.github.faults.inject({ path: '/repos/acme/', times: 5, kind: 'slow', ms: 800 }), 'request')],
  ['Kubernetes down (503 x3)', (r) => promotion(r, () => r.world.kube.faults.inject({ path: APP, times: 3, ...kubeFaults.unavailable() }), 'approve')],
  ['Kubernetes hung (one read)', (r) => promotion(r, () => r.world.kube.faults.inject({ method: 'GET', path: APP, kind: 'hang' }), 'approve')],
  ['Kubernetes 409 on the sync', (r) => promotion(r, () => r.world.kube.faults.inject({ method: 'PATCH', path: APP, ...kubeFaults.conflict('applications.argoproj.io "shop-staging"') }), 'approve')],
  ['Kubernetes lost answer to the sync', (r) => promotion(r, () => r.world.kube.faults.inject({ method: 'PATCH', path: APP, kind: 'lost' }), 'approve')],
  ['Kubernetes watch dropped', (r) => promotion(r, () => r.world.kube.argo.setOutcome('shop-staging', 'hang'), 'approve', async (x) => (await syncAsked(x), x.world.kube.dropWatches(), x.world.kube.argo.setOutcome('shop-staging', 'succeed')))],
  ['Kubernetes watch 410 Gone', (r) => promotion(r, () => r.world.kube.argo.setOutcome('shop-staging', 'hang'), 'approve', async (x) => (await syncAsked(x), x.world.kube.compact(), x.world.kube.faults.inject({ method: 'GET', path: WATCH, ...kubeFaults.gone() }), x.world.kube.dropWatches(), x.world.kube.argo.setOutcome('shop-staging', 'succeed')))],
  ['Slack 429 on a thread post', (r) => promotion(r, () => r.world.slack.faults.inject({ method: 'POST', path: '/api/chat.postMessage', ...slackFaults.rateLimited(1) }), 'approve')],
  ['Slack 429 on the request post', (r) => promotion(r, () => r.world.slack.faults.inject({ method: 'POST', path: '/api/chat.postMessage', ...slackFaults.rateLimited(1) }), 'request')],
  ['Slack ratelimited on updates', (r) => promotion(r, () => r.world.slack.faults.inject({ method: 'POST', path: '/api/chat.update', times: 2, ...slackFaults.rateLimited(1) }), 'approve')],
];

/** The pager down twice when a SEV-1 is declared: retried on the clock, one alert in the end. */
async function pagerDown(): Promise<Outcome & { injected: number }> {
  const clock = new ManualClock(Date.now());
  const r = await rig({ clock });
  r.pager.failNext(503, 1);
  r.pager.failNext(0, 1);
  await slash(r, '/incident', 'sev1 checkout is failing', 'U0DEV', 'C0GENERAL');
  for (const ms of [5_000, 10_000, 20_000]) {
    clock.advance(ms);
    await r.app.tick();
    await r.app.settled();
  }
  const triggers = r.pager.calls.filter((c) => c.body.event_action === 'trigger');
  const outcome = { recovered: triggers.some((c) => c.status === 202), duplicated: Math.max(0, r.pager.alerts.size - 1) + Math.max(0, triggers.filter((c) => c.status === 202).length - 1), injected: triggers.filter((c) => c.status !== 202).length };
  await r.close();
  return outcome;
}

async function faults(): Promise<void> {
  let injectedTotal = 0, recovered = 0, duplicated = 0;
  for (const [name, run] of SCENARIOS) {
    const r = await rig({ webApiRetries: 2, githubResilient: true });
    const started = performance.now();
    const outcome = await run(r);
    const injected = r.world.github.faults.injected.length + r.world.kube.faults.injected.length + r.world.slack.faults.injected.length + (/dropped/.test(name) ? 1 : 0);
    await r.close();
    injectedTotal += injected;
    recovered += outcome.recovered ? 1 : 0;
    duplicated += outcome.duplicated;
    console.log(`  ${name.padEnd(40)} injected ${String(injected).padStart(2)}  ${outcome.recovered ? 'recovered' : 'NOT recovered'}  duplicated ${outcome.duplicated}  ${((performance.now() - started) / 1000).toFixed(1)}s`);
  }
  const pager = await pagerDown();
  console.log(`  ${'pager down (503, then no answer)'.padEnd(40)} injected ${String(pager.injected).padStart(2)}  ${pager.recovered ? 'recovered' : 'NOT recovered'}  duplicated ${pager.duplicated}`);
  console.log(`faults: scenarios ${SCENARIOS.length + 1}, faults injected ${injectedTotal + pager.injected}, recovered ${recovered + (pager.recovered ? 1 : 0)}, duplicated effects ${duplicated + pager.duplicated} (must be 0)`);
}

await badInputs();
if (!process.env.BENCH_ONLY_INPUTS) await faults();
process.exit(0);
