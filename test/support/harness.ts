// Starts Flightdeck against a sandbox world and drives it the way Slack does: signed requests to /slack/events.
import { KubeConfig } from '@kubernetes/client-node';
import { createFlightdeck, type Flightdeck, type FlightdeckOptions } from '../../src/app.js';
import { loadConfig, loadEnv } from '../../src/config/loader.js';
import { createLogger } from '../../src/runtime/logger.js';
import { blockActionBody, postToSlackEndpoint, slashCommandBody } from '../../src/sandbox/slack/requests.js';
import { SIGNING_SECRET, startWorld, type World } from '../../src/sandbox/world.js';

export interface Running {
  world: World;
  app: Flightdeck;
  url: string;
  slash(text: string, user: string, opts?: { command?: string; channel?: string }): Promise<{ status: number; body: string; responseUrl: string }>;
  click(action: string, value: string, user: string, opts?: { channel?: string; messageTs?: string }): Promise<{ status: number }>;
  /** what the bot answered privately to the slash commands this user typed (through their response_urls) */
  answers(user: string): string[];
  /** resolves once the work the requests so far started has settled (see Flightdeck.settled) */
  settled(): Promise<void>;
  /** restarts Flightdeck on the same world and database */
  restart(options?: FlightdeckOptions): Promise<void>;
  close(): Promise<void>;
}

export async function startFlightdeck(opts: { world?: World; options?: FlightdeckOptions; config?: string; env?: Record<string, string> } = {}): Promise<Running> {
  const world = opts.world ?? (await startWorld(opts.config ? { config: opts.config } : {}));
  const boot = async (options?: FlightdeckOptions) => {
    const settings = loadEnv({ ...world.env, ...opts.env });
    const { config } = loadConfig(settings.configPath);
    const kubeconfig = new KubeConfig();
    kubeconfig.loadFromFile(world.kubeconfigPath);
    const app = await createFlightdeck(settings, config, { logger: createLogger(process.env.TEST_LOG_LEVEL ?? 'silent'), webApiRetries: 0, githubResilient: false, kubeconfig, cronTick: false, ...options });
    const port = await app.listen(0, '127.0.0.1');
    return { app, url: `http://127.0.0.1:${port}` };
  };
  let current = await boot(opts.options);
  const typedBy = new Map<string, string>();
  const running: Running = {
    world,
    get app() {
      return current.app;
    },
    get url() {
      return current.url;
    },
    async slash(text, user, o = {}) {
      const responseUrl = world.slack.responseUrl();
      typedBy.set(responseUrl, user);
      const body = slashCommandBody({ command: o.command ?? '/deploy', text, userId: user, channelId: o.channel ?? 'C0DEPLOYS', responseUrl });
      const res = await postToSlackEndpoint(`${current.url}/slack/events`, SIGNING_SECRET, body);
      return { status: res.status, body: res.body, responseUrl };
    },
    async click(action, value, user, o = {}) {
      const body = blockActionBody({ actionId: action, value, userId: user, channelId: o.channel ?? 'C0DEPLOYS', messageTs: o.messageTs ?? '1.000', responseUrl: world.slack.responseUrl() });
      const res = await postToSlackEndpoint(`${current.url}/slack/events`, SIGNING_SECRET, body);
      return { status: res.status };
    },
    answers(user) {
      return world.slack.responses.filter((r) => typedBy.get(r.url) === user).map((r) => [r.body?.text ?? '', ...(r.body?.blocks ?? []).flatMap((b: any) => [b.text?.text ?? '', ...(b.elements ?? []).map((e: any) => e.text ?? '')])].join('\n'));
    },
    settled() {
      return current.app.settled();
    },
    async restart(options) {
      await current.app.stop();
      current = await boot(options ?? opts.options);
    },
    async close() {
      await current.app.stop();
      if (!opts.world) await world.close();
    },
  };
  return running;
}

/** Polls until the probe returns a truthy value (effects happen after Slack's ack, in the background). */
export type Truthy<T> = Exclude<T, false | null | undefined | 0 | ''>;

export async function eventually<T>(probe: () => T | Promise<T>, opts: { timeoutMs?: number; what?: string } = {}): Promise<Truthy<T>> {
  const deadline = Date.now() + (opts.timeoutMs ?? 10_000);
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value) return value as Truthy<T>;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${opts.what ?? 'condition'}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
