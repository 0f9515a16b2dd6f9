// The bench's world: a sandbox world seeded with many environments, a pager fake, and Flightdeck replicas, each a process of
// its own (./replica.ts), on one store (a PostgreSQL schema of their own, or the world's SQLite file), every statement counted.
import { fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import type { ReplicaAnswer, ReplicaAsk, ReplicaOp } from './replica.js';
import { startPagerFake, type PagerFake } from '../../src/sandbox/pager/server.js';
import { kustomization, startWorld, type World } from '../../src/sandbox/world.js';

export const ROUTING_KEY = 'R0UTINGKEY0123456789abcdef012345';
/** Delay the fakes add to every request, as in bench/promotion.ts. */
export const LATENCY = { github: 80, kube: 30, slack: 30 };
export const APPROVERS = ['U0APPR1', 'U0APPR2', 'U0APPR3'];
export const ONCALL = ['U0ONCALL1', 'U0ONCALL2'];
export const LEADS = ['U0LEAD1', 'U0LEAD2'];
/** How long an incident may stay unacknowledged before each escalation (short, so the bench waits seconds). */
export const RESPOND_WITHIN_S = 6;

export const envName = (i: number) => `bench-${String(i).padStart(3, '0')}`;
export const appName = (i: number) => `shop-${envName(i)}`;
export const overlayOf = (i: number) => `k8s/overlays/${envName(i)}`;

/** The sandbox pipeline's two apps, `environments` environments that need one approval each, and sev2 incidents that escalate twice. */
export function benchConfig(environments: number, pagerUrl: string): string {
  const envs = Array.from({ length: environments }, (_, i) => `  - name: ${envName(i)}
    overlay: ${overlayOf(i)}
    namespace: ${envName(i)}
    argocd: { application: ${appName(i)}, sync: manual }
    approval: { required: 1, approvers: { groups: [S0APPROVERS] }, ttl: 1h }
    gates: { requiredChecks: [test, trivy] }`);
  return `gitops: { repo: acme/gitops, branch: main, mode: commit }
apps:
  - { name: backend, image: ghcr.io/acme/backend, source: acme/backend, workload: { kind: Deployment, name: backend } }
  - { name: frontend, image: ghcr.io/acme/frontend, source: acme/frontend }
environments:
${envs.join('\n')}
channels: { deploys: C0DEPLOYS, incidents: C0INCIDENTS }
incidents:
  severities:
    sev2: { respondWithin: ${RESPOND_WITHIN_S}s, page: { groups: [S0ONCALL] }, escalate: [{ groups: [S0LEADS] }, { users: [U0CTO] }] }
  pager: { url: "${pagerUrl}", routingKeyEnv: PAGER_ROUTING_KEY, severities: [sev2] }
`;
}

export interface Replica {
  name: string;
  url: string;
  /** statements this replica sent to the store so far */
  queries(): Promise<number>;
  tick(): Promise<void>;
  settled(): Promise<void>;
  stop(): Promise<void>;
}

export interface Rig {
  world: World;
  pager: PagerFake;
  replicas: Replica[];
  /** statements sent to the store by all replicas so far */
  queries(): Promise<number>;
  /** runs due timers on every replica at once, as their cron ticks would */
  tick(): Promise<void>;
  /** every replica's work started so far has settled */
  settled(): Promise<void>;
  close(): Promise<void>;
}

export type Backend = { kind: 'postgres'; url: string } | { kind: 'sqlite' };

/** A connection URL whose sessions use `schema` (libpq's `options`), as test/support/store-backends.ts makes them. */
function urlWithSchema(url: string, schema: string): string {
  const parsed = new URL(url);
  parsed.searchParams.set('options', `-c search_path=${schema}`);
  return parsed.toString();
}

async function adminQuery(url: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** Commits the environments' overlays (staging's layout: both apps on v2.9.0) and seeds an Argo CD Application for each. */
async function seedEnvironments(world: World, environments: number): Promise<void> {
  const files = Object.fromEntries(Array.from({ length: environments }, (_, i) => [`${overlayOf(i)}/kustomization.yaml`, kustomization(envName(i), 'v2.9.0', 'v2.9.0')]));
  const head = await world.github.commit('acme/gitops', files, { message: 'Bench environments' });
  for (let i = 0; i < environments; i++) world.kube.argo.seedApplication({ name: appName(i), path: overlayOf(i), revision: head, destinationNamespace: envName(i) });
}

/** Forks dist/bench/replicas/replica.js with the world's environment and waits until it listens. */
async function forkReplica(name: string, env: Record<string, string>): Promise<Replica> {
  const logs = process.env.BENCH_LOG_LEVEL;
  const child = fork(fileURLToPath(new URL('./replica.js', import.meta.url)), [], {
    env: { ...process.env, ...env, LOG_LEVEL: logs ?? 'silent' },
    // the replica's JSON log lines (only with BENCH_LOG_LEVEL) go to the bench's stderr, not into the report
    stdio: ['ignore', logs ? 2 : 'ignore', 'inherit', 'ipc'],
  });
  const waiting = new Map<number, { resolve: (value: number | undefined) => void; reject: (err: Error) => void }>();
  let next = 0;
  let exited = false;
  const port = await new Promise<number>((resolve, reject) => {
    child.on('message', (answer: ReplicaAnswer) => {
      if ('type' in answer) return resolve(answer.port);
      const caller = waiting.get(answer.id);
      waiting.delete(answer.id);
      if (answer.error !== undefined) caller?.reject(new Error(`replica ${name}: ${answer.error}`));
      else caller?.resolve(answer.value);
    });
    child.once('exit', (code, signal) => {
      exited = true;
      const err = new Error(`replica ${name} exited (${signal ?? code})`);
      reject(err);
      for (const caller of waiting.values()) caller.reject(err);
      waiting.clear();
    });
  });
  const ask = (op: ReplicaOp) =>
    new Promise<number | undefined>((resolve, reject) => {
      if (exited) return reject(new Error(`replica ${name} has exited`));
      const id = next++;
      waiting.set(id, { resolve, reject });
      child.send({ id, op } satisfies ReplicaAsk);
    });
  return {
    name,
    url: `http://127.0.0.1:${port}`,
    queries: async () => (await ask('queries')) ?? 0,
    tick: async () => void (await ask('tick')),
    settled: async () => void (await ask('settled')),
    async stop() {
      if (exited) return;
      const gone = new Promise((r) => child.once('exit', r));
      await ask('stop').catch(() => child.kill('SIGKILL'));
      await gone;
    },
  };
}

export async function startRig(backend: Backend, replicaCount: number, environments: number): Promise<Rig> {
  const pager = await startPagerFake({ routingKey: ROUTING_KEY });
  const world = await startWorld({ config: benchConfig(environments, pager.url), latency: LATENCY });
  const cleanups: Array<() => Promise<void>> = [() => world.close(), () => pager.close()];
  const replicas: Replica[] = [];
  const stopAll = () => Promise.all(replicas.map((r) => r.stop().catch(() => undefined)));
  try {
    world.slack.setUsergroup('S0APPROVERS', APPROVERS);
    world.slack.setUsergroup('S0ONCALL', ONCALL);
    world.slack.setUsergroup('S0LEADS', LEADS);
    await seedEnvironments(world, environments);
    let databaseUrl = world.env.DATABASE_URL!;
    if (backend.kind === 'postgres') {
      const schema = `fd_bench_${process.pid}_${randomBytes(4).toString('hex')}`;
      await adminQuery(backend.url, `CREATE SCHEMA ${schema}`);
      cleanups.unshift(() => adminQuery(backend.url, `DROP SCHEMA IF EXISTS ${schema} CASCADE`));
      databaseUrl = urlWithSchema(backend.url, schema);
    }
    const env = { ...world.env, DATABASE_URL: databaseUrl, PAGER_ROUTING_KEY: ROUTING_KEY };
    // one after the other: the first applies the migrations, as replicas starting together would wait for it anyway
    for (let i = 0; i < replicaCount; i++) replicas.push(await forkReplica(String.fromCharCode(65 + i), env));
    const sum = async () => (await Promise.all(replicas.map((r) => r.queries()))).reduce((a, b) => a + b, 0);
    return {
      world,
      pager,
      replicas,
      queries: sum,
      tick: async () => void (await Promise.all(replicas.map((r) => r.tick()))),
      async settled() {
        // Work one replica finished can have started work on another only through the store and the fakes (a timer,
        // an event): settled on all, until the statements sent stop changing.
        for (let before = -1, now = await sum(); before !== now; before = now, now = await sum()) await Promise.all(replicas.map((r) => r.settled()));
      },
      async close() {
        await stopAll();
        for (const cleanup of cleanups) await cleanup().catch((err: unknown) => process.stderr.write(`bench cleanup: ${String(err)}\n`));
      },
    };
  } catch (err) {
    await stopAll();
    for (const cleanup of cleanups) await cleanup().catch(() => undefined);
    throw err;
  }
}
