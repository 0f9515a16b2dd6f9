// The browser sandbox as one call: a world of fakes, the real Flightdeck against it, and the Slack-like page in front.
import { rm } from 'node:fs/promises';
import { KubeConfig } from '@kubernetes/client-node';
import { createFlightdeck, type Flightdeck } from '../../app.js';
import { loadConfig, loadEnv } from '../../config/loader.js';
import type { Config } from '../../config/schema.js';
import { createLogger } from '../../runtime/logger.js';
import { SANDBOX } from '../slack/webApi.js';
import { selfSignedCertificate } from '../tls.js';
import { EXAMPLE_CONFIG, SIGNING_SECRET, startWorld, type World, type WorldOptions } from '../world.js';
import { groupHandle, peopleOf } from './people.js';
import { startPageServer, type PageServer } from './server.js';

export interface SandboxOptions {
  /** the page's port (default 3000; 0 picks a free one) */
  port?: number;
  host?: string;
  /** simulator step length: 'realistic' (seconds, the default) or 'fast' (tests) */
  pace?: 'realistic' | 'fast';
  /** serve the simulated cluster over HTTPS (default true; falls back to HTTP when openssl is missing) */
  tls?: boolean;
  logLevel?: string;
  /** makes the world instead of the example pipeline (the --gitops mode) */
  world?: (opts: WorldOptions) => Promise<World & { requester?: string }>;
}

export interface Sandbox {
  /** the page, e.g. http://localhost:3000/sandbox */
  pageUrl: string;
  /** the page server's origin, which also passes /slack/events, /healthz, /metrics through to Flightdeck */
  url: string;
  flightdeckUrl: string;
  world: World;
  app: Flightdeck;
  page: PageServer;
  config: Config;
  /** false when the cluster fell back to plain HTTP */
  https: boolean;
  close(): Promise<void>;
}

const PACE = { realistic: { argo: 2_000, flagger: 1_500 }, fast: { argo: 40, flagger: 40 } };

/** Incident severities for the example pipeline, so /incident has responders to page and escalate to in the sandbox. */
const INCIDENTS = `incidents:
  severities:
    sev1: { respondWithin: 15m, page: { groups: [S0ONCALL] }, escalate: [{ groups: [S0LEADS] }, { users: [U0CTO] }], freezeProduction: true }
    sev2: { respondWithin: 1h, page: { groups: [S0ONCALL] }, escalate: [{ groups: [S0LEADS] }], freezeProduction: true }
    sev3: { respondWithin: 4h, page: { groups: [S0ONCALL] } }
    sev4: { respondWithin: 1d, page: { groups: [S0ONCALL] } }
  runbooks: { crashloop: https://runbooks.example/crashloop }
`;

/** The example pipeline's config with incident severities (unless the example already has them). */
export function exampleSandboxConfig(): string {
  return /^incidents:/m.test(EXAMPLE_CONFIG) ? EXAMPLE_CONFIG : `${EXAMPLE_CONFIG}${INCIDENTS}`;
}

async function exampleWorld(opts: WorldOptions): Promise<World> {
  const world = await startWorld({ ...opts, config: exampleSandboxConfig() });
  if (!world.slack.usergroups().S0LEADS) world.slack.setUsergroup('S0LEADS', ['U0LEAD']);
  return world;
}

export async function startSandbox(opts: SandboxOptions = {}): Promise<Sandbox> {
  const tls = opts.tls === false ? undefined : await selfSignedCertificate().catch(() => undefined);
  const worldOptions: WorldOptions = { stepMs: PACE[opts.pace ?? 'realistic'], ...(tls ? { tls } : {}) };
  const world = opts.world ? await opts.world(worldOptions) : await exampleWorld(worldOptions);
  let app: Flightdeck | undefined;
  let page: PageServer | undefined;
  const close = async () => {
    await page?.close();
    await app?.stop();
    await world.close();
    await rm(world.dir, { recursive: true, force: true });
  };
  try {
    const settings = loadEnv({ ...world.env, LOG_LEVEL: opts.logLevel ?? 'warn' });
    const { config } = loadConfig(settings.configPath);
    const kubeconfig = new KubeConfig();
    kubeconfig.loadFromFile(world.kubeconfigPath);
    app = await createFlightdeck(settings, config, { logger: createLogger(settings.logLevel), kubeconfig, webApiRetries: 0, githubResilient: false });
    const flightdeckPort = await app.listen(0, '127.0.0.1');
    const flightdeckUrl = `http://127.0.0.1:${flightdeckPort}`;
    const groups = world.slack.usergroups();
    const requester = (opts.world ? (world as { requester?: string }).requester : undefined) ?? 'U0DEV';
    const channels: Record<string, string> = {};
    if (config.channels.deploys) channels[config.channels.deploys] = 'deploys';
    if (config.channels.incidents) channels[config.channels.incidents] = 'incidents';
    page = await startPageServer(
      {
        slack: world.slack,
        botUser: SANDBOX.botUserId,
        flightdeckUrl,
        signingSecret: SIGNING_SECRET,
        people: peopleOf(config, groups, requester),
        groups: Object.fromEntries(Object.keys(groups).map((id) => [id, groupHandle(id)])),
        channels,
        workspace: SANDBOX.teamName,
      },
      opts.port ?? 3000,
      opts.host ?? '127.0.0.1',
    );
    const url = page.url.replace('//127.0.0.1:', '//localhost:');
    return { pageUrl: `${url}/sandbox`, url: page.url, flightdeckUrl, world, app, page, config, https: Boolean(tls), close };
  } catch (err) {
    await close();
    throw err;
  }
}
