// Builds the Bolt app: HTTP receiver (signature always verified) or Socket Mode, Web API pointed at SLACK_API_URL.
import { App, HTTPReceiver, LogLevel, SocketModeReceiver, type Logger as BoltLogger } from '@slack/bolt';
import type { RequestListener } from 'node:http';
import type { Logger } from '../../runtime/logger.js';

export interface SlackSettings {
  botToken: string;
  signingSecret?: string;
  appToken?: string;
  apiUrl: string;
}

export interface BoltWiring {
  app: App;
  /** HTTP mode: the listener for POST /slack/events; null in Socket Mode */
  listener: RequestListener | null;
  /** Socket Mode: connects; HTTP mode: nothing to do */
  start(): Promise<void>;
  stop(): Promise<void>;
}

export function createBolt(slack: SlackSettings, log: Logger, opts: { webApiRetries?: number } = {}): BoltWiring {
  const logger = boltLogger(log);
  const clientOptions = {
    slackApiUrl: slack.apiUrl,
    ...(opts.webApiRetries !== undefined ? { retryConfig: { retries: opts.webApiRetries } } : {}),
  };
  if (slack.appToken) {
    const receiver = new SocketModeReceiver({ appToken: slack.appToken, logger, installerOptions: { clientOptions } });
    const app = new App({ token: slack.botToken, receiver, logger, clientOptions });
    return {
      app,
      listener: null,
      start: async () => {
        await receiver.start();
      },
      stop: async () => {
        await receiver.stop();
      },
    };
  }
  if (!slack.signingSecret) throw new Error('SLACK_SIGNING_SECRET is required in HTTP mode');
  const receiver = new HTTPReceiver({ signingSecret: slack.signingSecret, endpoints: '/slack/events', logger, signatureVerification: true, processBeforeResponse: false });
  const app = new App({ token: slack.botToken, receiver, logger, clientOptions });
  return { app, listener: receiver.requestListener, start: async () => undefined, stop: async () => undefined };
}

/** Bolt's Logger interface over pino, so Bolt's own lines are JSON too. */
function boltLogger(log: Logger): BoltLogger {
  const child = log.child({ component: 'bolt' });
  let level = LogLevel.INFO;
  return {
    debug: (...msg: unknown[]) => child.debug(msg.map(String).join(' ')),
    info: (...msg: unknown[]) => child.info(msg.map(String).join(' ')),
    warn: (...msg: unknown[]) => child.warn(msg.map(String).join(' ')),
    error: (...msg: unknown[]) => child.error(msg.map(String).join(' ')),
    setLevel: (l: LogLevel) => {
      level = l;
    },
    getLevel: () => level,
    setName: () => undefined,
  };
}
