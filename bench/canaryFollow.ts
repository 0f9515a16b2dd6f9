// Measures following: 10 Slack threads follow 3 Flagger canaries; prints the watches Flightdeck holds and the Kubernetes calls it makes. Asserts nothing.
import { KubeConfig } from '@kubernetes/client-node';
import { createFlightdeck } from '../src/app.js';
import { loadConfig, loadEnv } from '../src/config/loader.js';
import { createLogger } from '../src/runtime/logger.js';
import { until } from '../src/sandbox/promotion.js';
import { blockActionBody, postToSlackEndpoint, slashCommandBody } from '../src/sandbox/slack/requests.js';
import { EXAMPLE_CONFIG, SIGNING_SECRET, startWorld } from '../src/sandbox/world.js';

const THREADS = 10;
const ENVS = ['dev', 'staging', 'production'];
// dev and staging get a canary of their own, so three canaries are followed.
const config = EXAMPLE_CONFIG.replace('    deployers: { groups: [S0DEVS] }\n', '    deployers: { groups: [S0DEVS] }\n    canary: { name: backend }\n').replace(
  '    gates: { requiredChecks: [test, trivy] }\n  - name: production',
  '    gates: { requiredChecks: [test, trivy] }\n    canary: { name: backend }\n  - name: production',
);

const world = await startWorld({ config, latency: { kube: 5, slack: 5 } });
for (const ns of ['dev', 'staging']) world.kube.flagger.seedCanary({ name: 'backend', namespace: ns });
for (const ns of ENVS) {
  world.kube.flagger.setOutcome(ns, 'backend', 'hang');
  world.kube.flagger.analyse(ns, 'backend');
}
const settings = loadEnv(world.env);
const kubeconfig = new KubeConfig();
kubeconfig.loadFromFile(world.kubeconfigPath);
const app = await createFlightdeck(settings, loadConfig(settings.configPath).config, { logger: createLogger('silent'), webApiRetries: 0, githubResilient: false, kubeconfig, cronTick: false });
const url = `http://127.0.0.1:${await app.listen(0, '127.0.0.1')}/slack/events`;

const statusTs: string[] = [];
for (let i = 0; i < THREADS; i++) {
  const env = ENVS[i % ENVS.length]!;
  const before = world.slack.messages('C0DEPLOYS').filter((m) => !m.thread_ts).length;
  await postToSlackEndpoint(url, SIGNING_SECRET, slashCommandBody({ command: '/canary-status', text: env, userId: 'U0DEV', channelId: 'C0DEPLOYS', responseUrl: world.slack.responseUrl() }));
  const message = await until(() => world.slack.messages('C0DEPLOYS').filter((m) => !m.thread_ts)[before]);
  statusTs.push(message.ts);
}
const followStart = { kube: world.kube.calls.length, at: performance.now() };
for (const [i, ts] of statusTs.entries()) {
  const env = ENVS[i % ENVS.length]!;
  const body = blockActionBody({ actionId: 'canary_follow', value: `${env}|`, userId: 'U0DEV', channelId: 'C0DEPLOYS', messageTs: ts, responseUrl: world.slack.responseUrl() });
  await postToSlackEndpoint(url, SIGNING_SECRET, body);
}
const replies = (ts: string) => world.slack.messages('C0DEPLOYS').filter((m) => m.thread_ts === ts).map((m) => m.text);
await until(() => statusTs.every((ts) => replies(ts).some((t) => t.includes('Following canary'))), 30_000, 10);
await until(() => world.kube.watchCount() >= ENVS.length, 10_000, 10);
const following = world.kube.calls.slice(followStart.kube);
const watchesWhileFollowing = world.kube.watchCount();

const analysisStart = world.kube.calls.length;
for (const ns of ENVS) world.kube.flagger.setOutcome(ns, 'backend', 'succeed');
await until(() => statusTs.every((ts) => replies(ts).some((t) => t.includes('Flagger promoted it'))), 60_000, 10);
const during = world.kube.calls.slice(analysisStart);
const steps = world.kube.flagger.phases('production', 'backend').length;
await until(() => world.kube.watchCount() === 0, 10_000, 10);

const count = (calls: typeof during, method: string, watch: boolean) => calls.filter((c) => c.method === method && /watch=(true|1)/.test(c.query ?? '') === watch).length;
console.log(`canary follow bench: ${THREADS} threads following ${ENVS.length} canaries`);
console.log(`  watches open while following: ${watchesWhileFollowing} (one per canary; one per thread would be ${THREADS})`);
console.log(`  kubernetes calls to start following: ${following.length} (GET ${count(following, 'GET', false)}, WATCH ${count(following, 'GET', true)})`);
console.log(`  kubernetes calls while the analyses ran (weight steps and ${steps} phases each, all told to every thread): ${during.length} (GET ${count(during, 'GET', false)}, WATCH ${count(during, 'GET', true)})`);
console.log(`  thread replies posted: ${statusTs.reduce((n, ts) => n + replies(ts).length, 0)}; watches open after the verdicts: ${world.kube.watchCount()}`);
await app.stop();
await world.close();
