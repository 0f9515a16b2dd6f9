// Composition root: builds every adapter from settings and config, hands them to workflows, handlers and the HTTP server.
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import type { KubeConfig } from '@kubernetes/client-node';
import type { Config } from './config/schema.js';
import type { Settings } from './config/loader.js';
import { createOctokit } from './adapters/github/octokit.js';
import { DeploymentStatusSink } from './adapters/github/deploymentSink.js';
import { GitHubGitOpsRepo, webUrlOf } from './adapters/github/gitopsRepo.js';
import { GitHubSourceRepos } from './adapters/github/sourceRepos.js';
import { DeferredCluster } from './adapters/kube/deferred.js';
import { createBolt } from './adapters/slack/bolt.js';
import { SlackChat } from './adapters/slack/chat.js';
import { SlackThreadSink } from './adapters/slack/runSink.js';
import { RunRecorder } from './runtime/runRecorder.js';
import { viewOf } from './workflows/requests.js';
import { registerHandlers } from './adapters/slack/handlers.js';
import { wireIncidents } from './adapters/incidentAdapters.js';
import { IncidentDeliverySink } from './workflows/incidentDeliveries.js';
import { registerCanaryHandlers, SlackCanaryThreads } from './adapters/slack/canaryHandlers.js';
import { PrometheusClient } from './adapters/prometheus/client.js';
import { CANARY_FOLLOW_TIMER, CanaryFollowHub } from './workflows/canaryFollow.js';
import { answerGate, type CanaryDeps } from './workflows/canaryGates.js';
import { openStore } from './adapters/store/open.js';
import { createHttpServer } from './http/server.js';
import type { Clock, Store } from './ports.js';
import { Background } from './runtime/background.js';
import { systemClock } from './runtime/clock.js';
import { createLogger, type Logger } from './runtime/logger.js';
import { createMetrics, type PromMetrics } from './runtime/metrics.js';
import { Scheduler } from './scheduler/scheduler.js';
import { GroupMembers, type WorkflowDeps } from './workflows/context.js';
import { expireLock, LOCK_EXPIRY_TIMER } from './workflows/locks.js';
import { EXPIRY_TIMER, expireRequest } from './workflows/promote.js';
import { adoptRun, resumeInFlight } from './workflows/resume.js';
import { handOverRuns, RUN_LEASE_TIMER, runLeases } from './workflows/delivery/lease.js';

export interface FlightdeckOptions {
  clock?: Clock;
  logger?: Logger;
  /** Web API retries; tests set 0 so a missing fake method fails at once */
  webApiRetries?: number;
  /** throttling + retry plugins for Octokit (on in production) */
  githubResilient?: boolean;
  kubeconfig?: KubeConfig;
  /** run the cron tick (tests may drive `tick()` themselves) */
  cronTick?: boolean;
  /** where secrets named in the config (the pager's routing key) are read; default process.env */
  env?: Record<string, string | undefined>;
  /** how long a run's lease lasts without renewal before another replica adopts the run (default 30 s) */
  runLeaseMs?: number;
  /** hears the text of every statement the store sends (bench/replicas.ts counts database round trips with it) */
  onStoreQuery?: (sql: string) => void;
}

export interface Flightdeck {
  listen(port: number, host?: string): Promise<number>;
  stop(): Promise<void>;
  /** runs due timers now */
  tick(): Promise<void>;
  /**
   * Resolves once the work started by requests so far has settled: background work (including what it started) is
   * done and every run event has reached its sinks. Tests wait on it instead of on time.
   */
  settled(): Promise<void>;
  store: Store;
  metrics: PromMetrics;
  server: Server;
  /** resolves once the Kubernetes client is loaded and its kubeconfig read; rejects with why not */
  clusterLoaded: Promise<unknown>;
}

export async function createFlightdeck(settings: Settings, config: Config, opts: FlightdeckOptions = {}): Promise<Flightdeck> {
  const log = opts.logger ?? createLogger(settings.logLevel);
  const clock = opts.clock ?? systemClock;
  const metrics = createMetrics({ defaultMetrics: true });
  const store = await openStore(settings.database, log, opts.onStoreQuery);
  const octokit = createOctokit({
    baseUrl: settings.github.apiUrl,
    auth: settings.github.auth,
    resilient: opts.githubResilient ?? true,
    onRequest: (operation, seconds, ok) => metrics.upstream('github', operation, seconds, ok),
  });
  const cluster = new DeferredCluster(
    (async () => {
      const [{ KubeCluster }, { environmentClusters, loadKubeConfig }] = await Promise.all([import('./adapters/kube/cluster.js'), import('./adapters/kube/kubeconfig.js')]);
      const kubeconfig = opts.kubeconfig ?? loadKubeConfig(settings.kubeconfig);
      // Say where each environment goes: a missing context must never silently mean another cluster.
      for (const target of environmentClusters(kubeconfig, config.environments)) log.info(target, 'environment resolves to cluster');
      return new KubeCluster(kubeconfig, { onRequest: (operation, seconds, ok) => metrics.upstream('kubernetes', operation, seconds, ok), log });
    })(),
  );
  const bolt = createBolt(settings.slack, log, {
    ...(opts.webApiRetries !== undefined ? { webApiRetries: opts.webApiRetries } : {}),
    // A replayed signed request (same signature inside Slack's 5-minute window) is acked and dropped.
    firstSeen: (id, at) => store.firstSeen(id, at),
  });
  const chat = new SlackChat(bolt.app.client, metrics);
  const shutdown = new AbortController();
  const sources = new GitHubSourceRepos(octokit);
  // One recorder for every run's events; each sink words them for its audience, in order, off the workflow's path.
  const events = new RunRecorder(store, clock, log, [new SlackThreadSink(chat, (request) => viewOf(config, request), config.channels.deploys ?? null, { clock, shutdown: shutdown.signal, log }), new DeploymentStatusSink(sources, store, config.gitops.deployments)]);
  const deps: WorkflowDeps = {
    config,
    store,
    gitops: new GitHubGitOpsRepo(octokit, config.gitops.repo, config.gitops.branch, webUrlOf(settings.github.apiUrl)),
    sources,
    cluster,
    chat,
    events,
    clock,
    metrics,
    log,
    members: new GroupMembers((group) => chat.groupMembers(group), clock),
    shutdown: shutdown.signal,
    leases: runLeases(opts.runLeaseMs),
  };
  const background = new Background(log);
  registerHandlers(bolt.app, deps, background);
  const incidents = wireIncidents({ app: bolt.app, config, store, clock, log, metrics, octokit, members: deps.members, background, env: opts.env ?? process.env });
  events.addSink(new IncidentDeliverySink(incidents.deps));
  const canaryDeps: CanaryDeps = { ...deps, metricsQuery: config.prometheus ? new PrometheusClient(config.prometheus.url) : null };
  const canaryThreads = new SlackCanaryThreads(bolt.app.client);
  const canaryHub = new CanaryFollowHub(canaryDeps, canaryThreads);
  registerCanaryHandlers(bolt.app, canaryDeps, background, canaryHub, canaryThreads);
  const scheduler = new Scheduler(store, clock, {
    [EXPIRY_TIMER]: async (timer) => void (await expireRequest(deps, timer.key)),
    [LOCK_EXPIRY_TIMER]: async (timer) => void (await expireLock(deps, timer.key)),
    [RUN_LEASE_TIMER]: (timer) => adoptRun(deps, background, timer.key),
    [CANARY_FOLLOW_TIMER]: (timer) => canaryHub.adopt(timer.key),
    ...incidents.timers,
  }, log);

  if (!settings.flaggerToken && config.environments.some((e) => e.canary)) {
    log.warn('FLAGGER_WEBHOOK_TOKEN is unset: the Flagger gates answer anyone who reaches them (the chart\'s NetworkPolicy limits who can); set it and put it in the Canaries\' webhook metadata as token');
  }
  let ready = false;
  const server = createHttpServer({
    slack: bolt.listener,
    registry: metrics.registry,
    flagger: { answer: (gate, body) => answerGate(deps, gate, body) },
    ...(settings.flaggerToken ? { flaggerToken: settings.flaggerToken } : {}),
    log,
    ready: async () => {
      if (!ready) return false;
      await store.ping();
      return true;
    },
  });

  return {
    store,
    metrics,
    server,
    clusterLoaded: cluster.loaded,
    tick: () => scheduler.tick(),
    async settled() {
      do {
        await background.idle();
        await events.idle();
      } while (background.size > 0);
    },
    async listen(port, host) {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => resolve());
      });
      await bolt.start();
      if (opts.cronTick ?? true) scheduler.start(config.scheduler.tick);
      // In-flight work resumes only with a working Kubernetes client: a bad kubeconfig must not fail those runs.
      background.run('resume', async () => {
        await cluster.loaded.then(() => resumeInFlight(deps, background), () => undefined);
        // Timers that came due while no process ran fire now, not at the next tick.
        if (opts.cronTick ?? true) await scheduler.tick();
      });
      background.run('canary-follow-resume', () => cluster.loaded.then(() => canaryHub.resume(), () => 0).then(() => undefined));
      ready = true;
      const bound = (server.address() as AddressInfo).port;
      log.info({ port: bound, mode: settings.slack.appToken ? 'socket' : 'http' }, 'flightdeck ready');
      return bound;
    },
    async stop() {
      ready = false;
      shutdown.abort(new Error('shutdown'));
      await scheduler.stop();
      await bolt.stop().catch((err: unknown) => log.warn({ err }, 'socket mode stop failed'));
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      });
      await background.drain(5_000);
      await handOverRuns(deps);
      await store.close();
      log.info('flightdeck stopped');
    },
  };
}
