// End to end at LOG_LEVEL debug: a whole deploy (request, approval, commit, sync), locks, status and hostile requests, and
// not one log line holds a token or secret of the world; afterwards the world's temporary folder is gone.
import { existsSync } from 'node:fs';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/runtime/logger.js';
import { postToSlackEndpoint, slashCommandBody } from '../../src/sandbox/slack/requests.js';
import { BOT_TOKEN, GITHUB_TOKEN, SIGNING_SECRET } from '../../src/sandbox/world.js';
import { eventually, startFlightdeck, type Running } from '../support/harness.js';
import { lastRequest, requests } from '../support/slack-view.js';

const lines: string[] = [];
let fd: Running;
let worldDir = '';

beforeAll(async () => {
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      done();
    },
  });
  fd = await startFlightdeck({ options: { logger: createLogger('debug', sink) } });
  worldDir = fd.world.dir;
});
afterAll(async () => {
  if (fd && existsSync(worldDir)) await fd.close();
});

describe('logs of a whole run', () => {
  it('deploys to staging with approval, locks and unlocks, answers status and refuses forgeries', async () => {
    const before = requests(fd.world).length;
    expect((await fd.slash('staging v3.0.0', 'U0DEV')).status).toBe(200);
    const req = await eventually(() => requests(fd.world).length > before && lastRequest(fd.world), { what: 'staging request', timeoutMs: 15_000 });
    await fd.click('deploy_approve', req.id, 'U0LEAD');
    await eventually(async () => (await fd.world.github.log('acme/gitops')).some((c) => c.message.includes(req.id)), { what: 'staging commit', timeoutMs: 15_000 });
    await eventually(async () => ['succeeded', 'failed'].includes((await fd.app.store.getRequest(req.id))?.state ?? ''), { what: 'request finished', timeoutMs: 20_000 });
    expect((await fd.slash('lock production for 1h release freeze', 'U0LEAD')).status).toBe(200);
    await eventually(async () => (await fd.app.store.listLocks()).length === 1, { what: 'lock stored' });
    expect((await fd.slash('unlock production', 'U0LEAD')).status).toBe(200);
    await eventually(async () => (await fd.app.store.listLocks()).length === 0, { what: 'lock lifted' });
    expect((await fd.slash('status', 'U0DEV')).status).toBe(200);
    const forged = slashCommandBody({ command: '/deploy', text: 'lock all', userId: 'U0DEV', channelId: 'C0DEPLOYS', responseUrl: fd.world.slack.responseUrl() });
    expect((await postToSlackEndpoint(`${fd.url}/slack/events`, SIGNING_SECRET, forged, { badSignature: true })).status).toBe(401);
  });

  it('logged at debug the places where a token would show: the Web API request headers and bodies', () => {
    expect(lines.some((l) => /"level":20/.test(l))).toBe(true);
    // the Web API client's request lines carry the Authorization header and the token field (redacted by it)
    expect(lines.some((l) => l.includes('http request headers') && l.includes('Authorization'))).toBe(true);
    expect(lines.some((l) => l.includes('http request body') && l.includes('token'))).toBe(true);
  });

  it('never logged a token or secret of the world', () => {
    const secrets = [BOT_TOKEN, SIGNING_SECRET, GITHUB_TOKEN, fd.world.kube.token];
    const leaks = lines.filter((l) => secrets.some((s) => l.includes(s)));
    expect(leaks.map((l) => l.slice(0, 300))).toEqual([]);
  });

  it('removes the world\u2019s temporary folder (git repositories, SQLite file) when the run ends', async () => {
    expect(existsSync(worldDir)).toBe(true);
    await fd.close();
    expect(existsSync(worldDir)).toBe(false);
  });
});
