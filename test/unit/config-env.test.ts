// loadEnv: the SPEC §3 variables, their defaults, and problems reported all at once without echoing secrets.
import { describe, expect, it } from 'vitest';
import { ConfigError, loadEnv } from '../../src/config/loader.js';

const BASE = { SLACK_BOT_TOKEN: 'xoxb-test', SLACK_SIGNING_SECRET: 'shh-signing', GITHUB_TOKEN: 'ghp-secret-token' };

function problemsOf(env: NodeJS.ProcessEnv): string[] {
  try {
    loadEnv(env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).problems;
  }
  throw new Error('expected a ConfigError');
}

describe('loadEnv', () => {
  it('applies the defaults of SPEC §3', () => {
    const settings = loadEnv(BASE);
    expect(settings).toEqual({
      configPath: './flightdeck.yaml',
      slack: { botToken: 'xoxb-test', signingSecret: 'shh-signing', apiUrl: 'https://slack.com/api/' },
      github: { apiUrl: 'https://api.github.com', auth: { token: 'ghp-secret-token' } },
      database: { kind: 'sqlite', path: './data/flightdeck.db' },
      port: 3000,
      logLevel: 'info',
    });
  });

  it('normalises URLs and reads every variable', () => {
    const settings = loadEnv({
      ...BASE,
      FLIGHTDECK_CONFIG: '/etc/fd.yaml',
      SLACK_API_URL: 'http://localhost:9000/api',
      GITHUB_API_URL: 'https://ghe.example/api/v3/',
      KUBECONFIG: '/kube/config',
      DATABASE_URL: 'postgres://fd:pw@db:5432/fd',
      PORT: '8080',
      LOG_LEVEL: 'DEBUG',
    });
    expect(settings.configPath).toBe('/etc/fd.yaml');
    expect(settings.slack.apiUrl).toBe('http://localhost:9000/api/');
    expect(settings.github.apiUrl).toBe('https://ghe.example/api/v3');
    expect(settings.kubeconfig).toBe('/kube/config');
    expect(settings.database).toEqual({ kind: 'postgres', url: 'postgres://fd:pw@db:5432/fd', poolSize: 10 });
    expect(settings.port).toBe(8080);
    expect(settings.logLevel).toBe('debug');
  });

  it('accepts sqlite URL forms', () => {
    expect(loadEnv({ ...BASE, DATABASE_URL: 'sqlite:/var/lib/fd.db' }).database).toEqual({ kind: 'sqlite', path: '/var/lib/fd.db' });
    expect(loadEnv({ ...BASE, DATABASE_URL: 'sqlite:///var/lib/fd.db' }).database).toEqual({ kind: 'sqlite', path: '/var/lib/fd.db' });
    expect(loadEnv({ ...BASE, DATABASE_URL: 'postgresql://h/db' }).database.kind).toBe('postgres');
  });

  it('reads the PostgreSQL pool size, bounded', () => {
    expect(loadEnv({ ...BASE, DATABASE_URL: 'postgres://h/db', DATABASE_POOL_SIZE: '25' }).database).toEqual({ kind: 'postgres', url: 'postgres://h/db', poolSize: 25 });
    for (const bad of ['0', '101', 'ten', '-1', '9'.repeat(40)]) {
      expect(problemsOf({ ...BASE, DATABASE_URL: 'postgres://h/db', DATABASE_POOL_SIZE: bad })).toEqual([
        `DATABASE_POOL_SIZE: expected the most PostgreSQL connections per process, a whole number from 1 to 100, got "${bad.slice(0, 20)}"`,
      ]);
    }
  });

  it('reads the Flagger webhook token, refusing a short one without showing it', () => {
    expect(loadEnv({ ...BASE, FLAGGER_WEBHOOK_TOKEN: 'a-long-random-token-0123' }).flaggerToken).toBe('a-long-random-token-0123');
    expect(loadEnv(BASE).flaggerToken).toBeUndefined();
    const problems = problemsOf({ ...BASE, FLAGGER_WEBHOOK_TOKEN: 'short-secret' });
    expect(problems).toEqual([expect.stringMatching(/^FLAGGER_WEBHOOK_TOKEN: expected a random token of at least 16 characters/)]);
    expect(problems.join('\n')).not.toContain('short-secret');
  });

  it('uses Socket Mode without a signing secret when an app token is set', () => {
    const settings = loadEnv({ SLACK_BOT_TOKEN: 'xoxb-test', SLACK_APP_TOKEN: 'xapp-test', GITHUB_TOKEN: 't' });
    expect(settings.slack).toEqual({ botToken: 'xoxb-test', appToken: 'xapp-test', apiUrl: 'https://slack.com/api/' });
  });

  it('accepts GitHub App auth with all three variables, reading \\n escapes in the key', () => {
    const settings = loadEnv({
      SLACK_BOT_TOKEN: 'xoxb-test',
      SLACK_SIGNING_SECRET: 's',
      GITHUB_APP_ID: '123',
      GITHUB_APP_PRIVATE_KEY: '-----BEGIN RSA PRIVATE KEY-----\\nabc\\n-----END RSA PRIVATE KEY-----',
      GITHUB_APP_INSTALLATION_ID: '456',
    });
    expect(settings.github.auth).toEqual({ appId: '123', installationId: '456', privateKey: '-----BEGIN RSA PRIVATE KEY-----\nabc\n-----END RSA PRIVATE KEY-----' });
  });

  it('reports every problem at once, one line per variable', () => {
    const problems = problemsOf({ PORT: 'eighty', LOG_LEVEL: 'loud', DATABASE_URL: 'mysql://u:hunter2@h/db' });
    expect(problems).toHaveLength(6);
    expect(problems[0]).toMatch(/^SLACK_BOT_TOKEN: required/);
    expect(problems.some((p) => p.startsWith('SLACK_SIGNING_SECRET: required in HTTP mode'))).toBe(true);
    expect(problems.some((p) => p.startsWith('GITHUB_TOKEN: required'))).toBe(true);
    expect(problems).toContain('PORT: expected a TCP port number from 0 to 65535, got "eighty"');
    expect(problems.some((p) => p.startsWith('LOG_LEVEL: expected one of fatal, error'))).toBe(true);
    expect(problems.some((p) => p.startsWith('DATABASE_URL: expected sqlite:<path>'))).toBe(true);
    expect(problems.join('\n')).not.toContain('hunter2');
  });

  it('never echoes a secret value', () => {
    const problems = problemsOf({ SLACK_BOT_TOKEN: 'xoxp-user-secret', SLACK_APP_TOKEN: 'bad-app-secret', GITHUB_TOKEN: 'tok', GITHUB_APP_PRIVATE_KEY: 'key-secret' });
    const text = problems.join('\n');
    expect(text).toContain('SLACK_BOT_TOKEN: expected a bot token starting with "xoxb-"');
    expect(text).toContain('SLACK_APP_TOKEN: expected an app-level token');
    expect(text).toContain('GITHUB_TOKEN: set either GITHUB_TOKEN or the GitHub App variables');
    for (const secret of ['xoxp-user-secret', 'bad-app-secret', 'key-secret']) expect(text).not.toContain(secret);
  });

  it('names the missing GitHub App variables', () => {
    const problems = problemsOf({ ...BASE, GITHUB_TOKEN: undefined, GITHUB_APP_ID: '12' });
    expect(problems.map((p) => p.split(':')[0])).toEqual(['GITHUB_APP_PRIVATE_KEY', 'GITHUB_APP_INSTALLATION_ID']);
  });

  it('treats empty variables as unset', () => {
    expect(loadEnv({ ...BASE, PORT: '', SLACK_APP_TOKEN: '' }).port).toBe(3000);
  });
});
