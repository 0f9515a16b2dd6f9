// Reads the process environment (SPEC §3 variables) into typed Settings, reporting every problem at once and never echoing a secret.
import { ConfigError } from '../domain/errors.js';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** ids stay strings (validated numeric): Octokit's app auth takes them as given. */
export type GitHubAuth = { token: string } | { appId: string; privateKey: string; installationId: string };

/** `poolSize`: most connections one process opens to PostgreSQL (DATABASE_POOL_SIZE, default 10). */
export type DatabaseSettings = { kind: 'sqlite'; path: string } | { kind: 'postgres'; url: string; poolSize: number };

export interface Settings {
  configPath: string;
  /** appId: SLACK_APP_ID, optional; when set, payloads for another Slack app are refused */
  slack: { botToken: string; signingSecret?: string; appToken?: string; apiUrl: string; appId?: string };
  github: { apiUrl: string; auth: GitHubAuth };
  /** KUBECONFIG as given; unset: in-cluster config or the standard location */
  kubeconfig?: string;
  database: DatabaseSettings;
  port: number;
  logLevel: LogLevel;
  /** FLAGGER_WEBHOOK_TOKEN: when set, Flagger's gate calls must carry it as `metadata.token` */
  flaggerToken?: string;
}

const DEFAULTS = {
  configPath: './flightdeck.yaml',
  slackApiUrl: 'https://slack.com/api/',
  githubApiUrl: 'https://api.github.com',
  databaseUrl: 'sqlite:./data/flightdeck.db',
  poolSize: 10,
  port: 3000,
  logLevel: 'info' as LogLevel,
};

/** Settings from the environment; throws ConfigError listing every problem (one line each). */
export function loadEnv(env: NodeJS.ProcessEnv): Settings {
  const problems: string[] = [];
  const get = (name: string): string | undefined => {
    const value = env[name]?.trim();
    return value ? value : undefined;
  };

  const slack = readSlack(get, problems);
  const github = readGitHub(get, problems);
  const database = readDatabase(get('DATABASE_URL') ?? DEFAULTS.databaseUrl, get('DATABASE_POOL_SIZE'), problems);
  const port = readPort(get('PORT'), problems);
  const logLevel = readLogLevel(get('LOG_LEVEL'), problems);
  const flaggerToken = get('FLAGGER_WEBHOOK_TOKEN');
  if (flaggerToken !== undefined && flaggerToken.length < MIN_FLAGGER_TOKEN) {
    problems.push(`FLAGGER_WEBHOOK_TOKEN: expected a random token of at least ${MIN_FLAGGER_TOKEN} characters, the same as metadata.token of the Canaries' gate webhooks (value not shown)`);
  }
  if (problems.length > 0) throw new ConfigError(problems);

  const kubeconfig = get('KUBECONFIG');
  return {
    configPath: get('FLIGHTDECK_CONFIG') ?? DEFAULTS.configPath,
    slack: slack!,
    github: github!,
    ...(kubeconfig ? { kubeconfig } : {}),
    database: database!,
    port,
    logLevel,
    ...(flaggerToken ? { flaggerToken } : {}),
  };
}

const MIN_FLAGGER_TOKEN = 16;

type Getter = (name: string) => string | undefined;

function readSlack(get: Getter, problems: string[]): Settings['slack'] | null {
  const botToken = get('SLACK_BOT_TOKEN');
  const appToken = get('SLACK_APP_TOKEN');
  const signingSecret = get('SLACK_SIGNING_SECRET');
  const appId = get('SLACK_APP_ID');
  if (appId !== undefined && !/^A[A-Z0-9]{2,}$/.test(appId)) problems.push('SLACK_APP_ID: expected the Slack app id such as "A0123ABCDEF" (Basic Information in the app settings)');
  if (!botToken) problems.push('SLACK_BOT_TOKEN: required, expected the bot token of the Slack app (xoxb-...)');
  else if (!botToken.startsWith('xoxb-')) problems.push('SLACK_BOT_TOKEN: expected a bot token starting with "xoxb-" (value not shown)');
  if (appToken && !appToken.startsWith('xapp-')) problems.push('SLACK_APP_TOKEN: expected an app-level token starting with "xapp-" (value not shown)');
  if (!appToken && !signingSecret) {
    problems.push('SLACK_SIGNING_SECRET: required in HTTP mode, expected the signing secret of the Slack app (or set SLACK_APP_TOKEN to use Socket Mode)');
  }
  const apiUrl = readUrl('SLACK_API_URL', get('SLACK_API_URL') ?? DEFAULTS.slackApiUrl, problems);
  if (!botToken || apiUrl === null) return null;
  return {
    botToken,
    ...(signingSecret ? { signingSecret } : {}),
    ...(appToken ? { appToken } : {}),
    ...(appId ? { appId } : {}),
    apiUrl: apiUrl.endsWith('/') ? apiUrl : `${apiUrl}/`,
  };
}

const APP_VARIABLES = ['GITHUB_APP_ID', 'GITHUB_APP_PRIVATE_KEY', 'GITHUB_APP_INSTALLATION_ID'] as const;

function readGitHub(get: Getter, problems: string[]): Settings['github'] | null {
  const rawUrl = readUrl('GITHUB_API_URL', get('GITHUB_API_URL') ?? DEFAULTS.githubApiUrl, problems);
  const apiUrl = rawUrl?.replace(/\/+$/, '') ?? null;
  const token = get('GITHUB_TOKEN');
  const setApp = APP_VARIABLES.filter((name) => get(name) !== undefined);
  let auth: GitHubAuth | null = null;
  if (token && setApp.length > 0) {
    problems.push(`GITHUB_TOKEN: set either GITHUB_TOKEN or the GitHub App variables (${APP_VARIABLES.join(', ')}), not both (${setApp.join(', ')} also set)`);
  } else if (token) {
    auth = { token };
  } else if (setApp.length === 0) {
    problems.push(`GITHUB_TOKEN: required, expected a token for the GitOps and app repositories (or set ${APP_VARIABLES.join(', ')} for GitHub App auth)`);
  } else {
    const missing = APP_VARIABLES.filter((name) => !setApp.includes(name));
    for (const name of missing) problems.push(`${name}: required for GitHub App auth (${setApp.join(', ')} ${setApp.length === 1 ? 'is' : 'are'} set), expected ${describeAppVariable(name)}`);
    const appId = readId('GITHUB_APP_ID', get('GITHUB_APP_ID'), problems);
    const installationId = readId('GITHUB_APP_INSTALLATION_ID', get('GITHUB_APP_INSTALLATION_ID'), problems);
    const privateKey = readPrivateKey(get('GITHUB_APP_PRIVATE_KEY'), problems);
    if (missing.length === 0 && appId !== null && installationId !== null && privateKey !== null) auth = { appId, privateKey, installationId };
  }
  return apiUrl !== null && auth !== null ? { apiUrl, auth } : null;
}

function describeAppVariable(name: (typeof APP_VARIABLES)[number]): string {
  return name === 'GITHUB_APP_PRIVATE_KEY' ? 'the App private key (PEM)' : 'a numeric id';
}

function readId(name: string, value: string | undefined, problems: string[]): string | null {
  if (value === undefined) return null;
  if (!/^\d+$/.test(value) || Number(value) <= 0) {
    problems.push(`${name}: expected a numeric id such as 123456, got "${value}"`);
    return null;
  }
  return value;
}

/** PEM text; "\n" escapes (as .env files and secret stores often carry them) become newlines. */
function readPrivateKey(value: string | undefined, problems: string[]): string | null {
  if (value === undefined) return null;
  const pem = value.includes('\\n') ? value.replace(/\\n/g, '\n') : value;
  if (!/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(pem)) {
    problems.push('GITHUB_APP_PRIVATE_KEY: expected the PEM private key of the GitHub App (the contents of its .pem file; value not shown)');
    return null;
  }
  return pem;
}

function readUrl(name: string, value: string, problems: string[]): string | null {
  let parsed: URL;
  try {
    parsed = new URL(value);
  } catch {
    problems.push(`${name}: expected an absolute http(s) URL, got "${value}"`);
    return null;
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    problems.push(`${name}: expected an absolute http(s) URL, got "${value}"`);
    return null;
  }
  return value;
}

function readDatabase(value: string, poolSize: string | undefined, problems: string[]): DatabaseSettings | null {
  if (value.startsWith('sqlite:')) {
    // sqlite:./data/x.db, sqlite:/abs/x.db, sqlite:///abs/x.db and sqlite://./x.db all name a file.
    const rest = value.slice('sqlite:'.length);
    const path = rest.startsWith('//') ? rest.slice(2) : rest;
    if (path) return { kind: 'sqlite', path };
  } else if (/^postgres(ql)?:\/\//.test(value)) {
    try {
      new URL(value);
      return { kind: 'postgres', url: value, poolSize: readPoolSize(poolSize, problems) };
    } catch {
      // reported below, without the URL: it may carry a password
    }
  }
  problems.push('DATABASE_URL: expected sqlite:<path> (such as sqlite:./data/flightdeck.db) or postgres://user:password@host/db (value not shown)');
  return null;
}

const MAX_POOL_SIZE = 100;

function readPoolSize(value: string | undefined, problems: string[]): number {
  if (value === undefined) return DEFAULTS.poolSize;
  if (!/^\d+$/.test(value) || Number(value) < 1 || Number(value) > MAX_POOL_SIZE) {
    problems.push(`DATABASE_POOL_SIZE: expected the most PostgreSQL connections per process, a whole number from 1 to ${MAX_POOL_SIZE}, got "${value.slice(0, 20)}"`);
    return DEFAULTS.poolSize;
  }
  return Number(value);
}

function readPort(value: string | undefined, problems: string[]): number {
  if (value === undefined) return DEFAULTS.port;
  if (!/^\d+$/.test(value) || Number(value) > 65_535) {
    problems.push(`PORT: expected a TCP port number from 0 to 65535, got "${value}"`);
    return DEFAULTS.port;
  }
  return Number(value);
}

function readLogLevel(value: string | undefined, problems: string[]): LogLevel {
  if (value === undefined) return DEFAULTS.logLevel;
  const level = value.toLowerCase();
  if (!(LOG_LEVELS as readonly string[]).includes(level)) {
    problems.push(`LOG_LEVEL: expected one of ${LOG_LEVELS.join(', ')}, got "${value}"`);
    return DEFAULTS.logLevel;
  }
  return level as LogLevel;
}
