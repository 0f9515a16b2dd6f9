// The Prometheus client against the Prometheus HTTP API fake: values, empty results, errors and a bounded wait; and escaping in canary wording.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PrometheusClient } from '../../src/adapters/prometheus/client.js';
import { mrkdwnWords } from '../../src/adapters/slack/blocks/canary.js';
import { startPrometheusFake, type PrometheusFake } from '../../src/sandbox/prometheus/server.js';
import { wordCanaryEvent } from '../../src/wording/canary.js';
import { plainWords } from '../../src/wording/words.js';

describe('PrometheusClient', () => {
  let fake: PrometheusFake;
  beforeAll(async () => {
    fake = await startPrometheusFake();
  });
  afterAll(async () => {
    await fake.close();
  });

  it('returns the first sample of a vector, null for an empty one, and sends the query with whitespace collapsed', async () => {
    fake.set('up{job="x"}', 0.25);
    const client = new PrometheusClient(fake.url);
    expect(await client.instant('  up{job="x"}\n  ')).toBe(0.25);
    expect(fake.queries.at(-1)).toBe('up{job="x"}');
    expect(await client.instant('vector(1)')).toBe(1);
    expect(await client.instant('nothing_here')).toBeNull();
  });

  it('rejects when Prometheus answers an error, and when it is slower than the bound', async () => {
    const client = new PrometheusClient(fake.url, { timeoutMs: 200 });
    fake.down = true;
    await expect(client.instant('vector(1)')).rejects.toThrow(/503/);
    fake.down = false;
    fake.delayMs = 1_000;
    const started = Date.now();
    await expect(client.instant('vector(1)')).rejects.toThrow();
    expect(Date.now() - started).toBeLessThan(900);
    fake.delayMs = 0;
    await expect(new PrometheusClient('http://127.0.0.1:1', { timeoutMs: 200 }).instant('vector(1)')).rejects.toThrow();
  });
});

describe('canary wording', () => {
  it("escapes Flagger's message for Slack exactly once and leaves it as is in plain text", () => {
    const event = { type: 'verdict' as const, canary: { env: 'production', canary: 'backend', namespace: 'production' }, passed: false, phase: 'Failed', failedChecks: 2, message: 'halted <!channel> & more' };
    expect(wordCanaryEvent(event, mrkdwnWords)).toBe(':x: canary `backend` (production): analysis failed after 2 failed checks: halted &lt;!channel&gt; &amp; more Traffic is back on the primary.');
    expect(wordCanaryEvent(event, plainWords)).toBe('canary backend (production): analysis failed after 2 failed checks: halted <!channel> & more Traffic is back on the primary.');
  });
});
