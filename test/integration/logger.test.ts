// The logger: token, secret and authorization fields are redacted by configuration, errors are cut to size, and no line
// grows past the bound whatever is logged.
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger, MAX_LINE_BYTES } from '../../src/runtime/logger.js';

const SECRET = 'xoxb-redaction-probe-0123456789';

function capture(): { lines: string[]; log: ReturnType<typeof createLogger> } {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      done();
    },
  });
  return { lines, log: createLogger('debug', sink) };
}

describe('logger', () => {
  it.each([
    ['token', { token: SECRET }],
    ['nested token', { slack: { token: SECRET } }],
    ['settings.slack.botToken', { settings: { slack: { botToken: SECRET } } }],
    ['appToken', { slack: { appToken: SECRET } }],
    ['signingSecret', { signingSecret: SECRET }],
    ['settings.slack.signingSecret', { settings: { slack: { signingSecret: SECRET } } }],
    ['secret', { webhook: { secret: SECRET } }],
    ['privateKey', { github: { auth: { privateKey: SECRET } } }],
    ['password', { db: { password: SECRET } }],
    ['authorization header', { req: { headers: { authorization: `Bearer ${SECRET}` } } }],
    ['Authorization header', { request: { headers: { Authorization: `token ${SECRET}` } } }],
    ['cookie', { req: { headers: { cookie: `s=${SECRET}` } } }],
    ['x-slack-signature', { req: { headers: { 'x-slack-signature': `v0=${SECRET}` } } }],
    ['routingKey', { pager: { routingKey: SECRET } }],
    ['routing_key', { body: { routing_key: SECRET } }],
  ])('redacts %s', (_name, fields) => {
    const { lines, log } = capture();
    log.info(fields, 'probe');
    expect(lines).toHaveLength(1);
    expect(lines[0]).not.toContain(SECRET);
    expect(lines[0]).toContain('[redacted]');
  });

  it('logs an error as kind, message and stack, not every field it carries', () => {
    const { lines, log } = capture();
    const err = Object.assign(new Error('Unhandled HTTP request (GET) made to /slack/events'), {
      code: 'slack_bolt_http_receiver_deferred_request_error',
      req: { headers: { 'x-probe': 'p'.repeat(20_000) } },
    });
    log.error({ err }, 'http handler failed');
    const line = JSON.parse(lines[0]!);
    expect(line.err).toMatchObject({ type: 'Error', message: 'Unhandled HTTP request (GET) made to /slack/events', code: 'slack_bolt_http_receiver_deferred_request_error' });
    expect(line.err.req).toBeUndefined();
    expect(lines[0]).not.toContain('ppppp');
  });

  it('replaces any line over the bound by a short line naming its level, message and size', () => {
    const { lines, log } = capture();
    log.warn({ path: `/${'a'.repeat(40_000)}` }, 'long path');
    expect(lines).toHaveLength(1);
    expect(Buffer.byteLength(lines[0]!)).toBeLessThanOrEqual(MAX_LINE_BYTES);
    expect(JSON.parse(lines[0]!)).toMatchObject({ level: 40, msg: 'long path', logLineCut: { bytes: expect.any(Number) } });
  });

  it('keeps ordinary lines as they are', () => {
    const { lines, log } = capture();
    log.info({ runId: 'fd-1', env: 'staging' }, 'committed');
    expect(JSON.parse(lines[0]!)).toMatchObject({ runId: 'fd-1', env: 'staging', msg: 'committed', service: 'flightdeck' });
  });
});
