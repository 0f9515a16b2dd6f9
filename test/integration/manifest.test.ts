// manifest.yml against the code: the slash commands both ways, and exactly the bot scopes of the Web API methods the bot calls.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { promoteStaging } from '../../src/sandbox/promotion.js';
import { startFlightdeck, type Running } from '../support/harness.js';

/**
 * Bot-token scopes that allow each Web API method (docs.slack.dev/reference/methods/<method>, "Required scopes");
 * any one of them is enough, and [] means the method needs none. A method the code starts calling must be added here.
 */
const METHOD_SCOPES: Record<string, string[]> = {
  'auth.test': [],
  'chat.postMessage': ['chat:write'],
  'chat.update': ['chat:write'],
  'chat.postEphemeral': ['chat:write'],
  'chat.getPermalink': [],
  'usergroups.users.list': ['usergroups:read'],
  'users.info': ['users:read'],
  'conversations.create': ['channels:manage'],
  'conversations.invite': ['channels:manage'],
  'conversations.setTopic': ['channels:manage', 'channels:write.topic'],
  'conversations.join': ['channels:join'],
  'conversations.info': ['channels:read'],
  'pins.add': ['pins:write'],
  'views.open': [],
  'views.update': [],
  'views.push': [],
};

const manifest = parse(readFileSync('manifest.yml', 'utf8')) as {
  features: { slash_commands: Array<{ command: string; url?: string; description?: string; usage_hint?: string }> };
  oauth_config: { scopes: { bot: string[] } };
  settings: { interactivity: { is_enabled: boolean; request_url: string } };
};
const scopes = manifest.oauth_config.scopes.bot;
const commands = manifest.features.slash_commands.map((c) => c.command);

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sources(path) : path.endsWith('.ts') ? [path] : [];
  });
}
const botSources = sources('src').filter((p) => !p.startsWith(join('src', 'sandbox')));

/** Web API methods named in the bot's code: `client.chat.postMessage(`, `apiCall('pins.add'`, Bolt's `say(`. */
function methodsInCode(): Set<string> {
  const found = new Set<string>();
  for (const path of botSources) {
    const text = readFileSync(path, 'utf8');
    for (const m of text.matchAll(/\bclient\.((?:[a-z]+\.)+[a-zA-Z]+)\(/g)) found.add(m[1]!);
    for (const m of text.matchAll(/apiCall\(\s*'([a-z]+(?:\.[a-zA-Z]+)+)'/g)) found.add(m[1]!);
    if (/\bsay\(/.test(text) && /from '@slack\/bolt'/.test(text)) found.add('chat.postMessage');
  }
  return found;
}

const covered = (method: string) => METHOD_SCOPES[method] !== undefined && (METHOD_SCOPES[method]!.length === 0 || METHOD_SCOPES[method]!.some((s) => scopes.includes(s)));

describe('manifest.yml scopes', () => {
  const called = methodsInCode();

  it('finds the Web API calls in the code (the scan itself works)', () => {
    expect(called).toContain('chat.postMessage');
    expect(called).toContain('usergroups.users.list');
  });

  it('covers every Web API method the code calls with a scope from the table', () => {
    const unknown = [...called].filter((m) => METHOD_SCOPES[m] === undefined);
    expect(unknown, 'add these methods to METHOD_SCOPES with their required scopes').toEqual([]);
    expect([...called].filter((m) => !covered(m))).toEqual([]);
  });

  it('asks for no scope that no called method needs (commands aside)', () => {
    const needed = new Set([...called].flatMap((m) => METHOD_SCOPES[m] ?? []));
    expect(scopes.filter((s) => s !== 'commands' && !needed.has(s))).toEqual([]);
    expect(scopes).toContain('commands');
  });
});

describe('manifest.yml slash commands', () => {
  it('lists each command once with a description, a usage hint and the events URL', () => {
    expect(new Set(commands).size).toBe(commands.length);
    for (const c of manifest.features.slash_commands) {
      expect(c.description, c.command).toBeTruthy();
      expect(c.usage_hint, c.command).toBeTruthy();
      expect(c.url, c.command).toBe(manifest.settings.interactivity.request_url);
    }
    expect(manifest.settings.interactivity.request_url).toMatch(/\/slack\/events$/);
  });

  it('names every slash command the Slack adapter mentions', () => {
    const mentioned = new Set<string>();
    for (const path of botSources.filter((p) => p.startsWith(join('src', 'adapters', 'slack')))) {
      for (const m of readFileSync(path, 'utf8').matchAll(/'(\/[a-z][a-z-]*)'/g)) mentioned.add(m[1]!);
    }
    expect(mentioned.size).toBeGreaterThan(0);
    expect([...mentioned].filter((c) => !commands.includes(c))).toEqual([]);
  });
});

describe('manifest.yml against the running bot', () => {
  let running: Running;
  beforeAll(async () => {
    running = await startFlightdeck();
  });
  afterAll(async () => running?.close());

  it('acknowledges `help` of every command in the manifest (an unknown command is not acknowledged)', async () => {
    for (const command of commands) {
      const res = await running.slash('help', 'U0DEV', { command });
      expect(res.status, command).toBe(200);
    }
    const unknown = await running.slash('help', 'U0DEV', { command: '/not-a-command' });
    expect(unknown.status).toBe(404);
  });

  it('covers every method the bot called during a promotion with a scope', async () => {
    await promoteStaging(running.url, running.world);
    const methods = new Set(running.world.slack.calls.map((c) => c.method));
    expect(methods).toContain('chat.update');
    expect([...methods].filter((m) => !covered(m))).toEqual([]);
  });
});
