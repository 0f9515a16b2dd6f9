// One Flightdeck replica in a process of its own, forked by bench/replicas.ts: it reports its port, then answers the bench over
// the IPC channel (statements sent to the store so far, run due timers, wait until settled, stop). The replicas run apart
// from the fakes as in production: the GitHub fake's git processes are spawned on the bench's event loop, not theirs.
import { createFlightdeck } from '../../src/app.js';
import { loadConfig, loadEnv } from '../../src/config/loader.js';
import { createLogger } from '../../src/runtime/logger.js';

export type ReplicaOp = 'queries' | 'tick' | 'settled' | 'stop';
export interface ReplicaAsk {
  id: number;
  op: ReplicaOp;
}
export type ReplicaAnswer = { type: 'ready'; port: number } | { id: number; value?: number; error?: string };

async function main(): Promise<void> {
  const settings = loadEnv(process.env);
  const { config } = loadConfig(settings.configPath);
  let queries = 0;
  const app = await createFlightdeck(settings, config, {
    logger: createLogger(settings.logLevel),
    // Octokit's throttling sends one write a second per process (GitHub's advice for content-creating requests): on only
    // when asked, as it would make the commits of 100 approvals take 50 s per replica whatever Flightdeck does.
    githubResilient: process.env.BENCH_GITHUB_THROTTLING === '1',
    // no faults are injected: a failing Slack call should show at once, not after half an hour of retries
    webApiRetries: 0,
    // the bench ticks the schedulers itself (op 'tick'), so the approvals' round trips hold no idle ticks
    cronTick: false,
    onStoreQuery: () => void (queries += 1),
  });
  const port = await app.listen(0, '127.0.0.1');
  process.on('message', (ask: ReplicaAsk) => {
    const work: Record<ReplicaOp, () => Promise<number | undefined>> = {
      queries: async () => queries,
      tick: async () => void (await app.tick()),
      settled: async () => void (await app.settled()),
      stop: async () => void (await app.stop()),
    };
    // After `stop` answered, the channel closes and nothing keeps the process alive: it exits.
    const then = () => ask.op === 'stop' && process.disconnect();
    work[ask.op]().then(
      (value) => process.send?.({ id: ask.id, ...(value === undefined ? {} : { value }) } satisfies ReplicaAnswer, then),
      (err: unknown) => process.send?.({ id: ask.id, error: err instanceof Error ? err.message : String(err) } satisfies ReplicaAnswer, then),
    );
  });
  process.send?.({ type: 'ready', port } satisfies ReplicaAnswer);
}

await main();
