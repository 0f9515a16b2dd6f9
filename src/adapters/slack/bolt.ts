// Builds the Bolt app: HTTP receiver behind the Slack guard (signature, skew, replays, workspace) or Socket Mode, Web API pointed
// at SLACK_API_URL with bounded retries.
import { App, HTTPReceiver, LogLevel, SocketModeReceiver, type Logger as BoltLogger } from '@slack/bolt';
import type { RequestListener } from 'node:http';
import { SLACK_BODY_LIMIT, slackGuard, type Workspace } from '../../http/slackGuard.js';
import type { Logger } from '../../runtime/logger.js';
import { webApiOptions } from './webApiPolicy.js';

export interface SlackSettings {
  botToken: string;
  signingSecret?: string;
  appToken?: string;
  apiUrl: string;
  /** SLACK_APP_ID: when set, payloads for another app are refused */
  appId?: string;
}

export interface BoltOptions {
  /** Web API retries (default 3 within about a minute); tests set 0 so a missing fake method fails at once */
  webApiRetries?: number;
  /** the store's seen-id check: a replayed signature inside Slack's 5-minute window is acked and dropped */
  firstSeen?: (id: string, at: number) => Promise<boolean>;
  /** wall clock for the signature's timestamp window (tests move it) */
  now?: () => number;
}

export interface BoltWiring {
  app: App;
  /** HTTP mode: the listener for /slack/events; null in Socket Mode */
  listener: RequestListener | null;
  /** Socket Mode: connects; HTTP mode: nothing to do */
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** Longest line Bolt may add to the log; its messages interpolate requests and errors. */
const MAX_BOLT_LINE = 1_000;

export function createBolt(slack: SlackSettings, log: Logger, opts: BoltOptions = {}): BoltWiring {
  const logger = boltLogger(log);
  const clientOptions = webApiOptions(slack.apiUrl, opts.webApiRetries !== undefined ? { retries: opts.webApiRetries } : {});
  if (slack.appToken) {
    const receiver = new SocketModeReceiver({ appToken: slack.appToken, logger, installerOptions: { clientOptions } });
    // Initialised once at start (auth.test for the bot's ids): without it Bolt asks again before every event.
    const app = new App({ token: slack.botToken, receiver, logger, clientOptions, deferInitialization: true });
    return {
      app,
      listener: null,
      start: async () => {
        await app.init();
        await receiver.start();
      },
      stop: async () => {
        await receiver.stop();
      },
    };
  }
  if (!slack.signingSecret) throw new Error('SLACK_SIGNING_SECRET is required in HTTP mode');
  const receiver = new HTTPReceiver({
    signingSecret: slack.signingSecret,
    endpoints: '/slack/events',
    logger,
    signatureVerification: true,
    processBeforeResponse: false,
    bodyLimit: SLACK_BODY_LIMIT,
  });
  // auth.test runs on the first request, not in the constructor: an eager call has no handler until then, and a Slack
  // that is down at start would surface as an unhandled rejection. Bolt learns the bot's ids in init(), which the guard
  // runs (through `workspace`) before it hands Bolt a request; with tokenVerificationEnabled: false Bolt would ask
  // auth.test again before every request, a Slack round trip inside the 3 s ack (bench/replicas.ts lost commands to it).
  const app = new App({ token: slack.botToken, receiver, logger, clientOptions, deferInitialization: true });
  const workspace = async (): Promise<Workspace> => {
    await app.init();
    const auth = await app.client.auth.test();
    if (!auth.team_id) throw new Error('auth.test named no team_id');
    return { teamId: auth.team_id, ...(auth.enterprise_id ? { enterpriseId: auth.enterprise_id } : {}) };
  };
  const guard = slackGuard({
    signingSecret: slack.signingSecret,
    next: receiver.requestListener,
    workspace,
    log,
    ...(slack.appId ? { appId: slack.appId } : {}),
    ...(opts.firstSeen ? { firstSeen: opts.firstSeen } : {}),
    ...(opts.now ? { now: opts.now } : {}),
  });
  const listener: RequestListener = (req, res) => {
    guard(req, res).catch((err: unknown) => {
      log.error({ err }, 'slack request failed before Bolt');
      if (!res.headersSent) res.writeHead(500).end();
      else res.end();
    });
  };
  return { app, listener, start: async () => undefined, stop: async () => undefined };
}

/** Bolt's Logger interface over pino, so Bolt's own lines are JSON too, each cut to MAX_BOLT_LINE characters. */
function boltLogger(log: Logger): BoltLogger {
  const child = log.child({ component: 'bolt' });
  let level = LogLevel.INFO;
  const line = (msg: unknown[]): string => {
    const text = msg.map((m) => (m instanceof Error ? `${m.name}: ${m.message}` : String(m))).join(' ');
    return text.length <= MAX_BOLT_LINE ? text : `${text.slice(0, MAX_BOLT_LINE)}… (${text.length - MAX_BOLT_LINE} more characters)`;
  };
  return {
    debug: (...msg: unknown[]) => child.debug(line(msg)),
    info: (...msg: unknown[]) => child.info(line(msg)),
    warn: (...msg: unknown[]) => child.warn(line(msg)),
    error: (...msg: unknown[]) => child.error(line(msg)),
    setLevel: (l: LogLevel) => {
      level = l;
    },
    getLevel: () => level,
    setName: () => undefined,
  };
}
