// Freeze windows and the cron matcher, in time zones and across DST changes.
import { describe, expect, it } from 'vitest';
import type { FreezeConfig } from '../../src/config/schema.js';
import { cronProblem, nextCronTime, parseCron } from '../../src/domain/cron.js';
import { activeFreeze } from '../../src/domain/freezes.js';

const HOUR = 3_600_000;
const weekend: FreezeConfig = { name: 'weekend', cron: '0 16 * * 5', duration: 65 * HOUR, environments: ['production'], timezone: 'Europe/Berlin' };
const at = (iso: string) => Date.parse(iso);

describe('activeFreeze (the spec example: 0 16 * * 5, 65h, Europe/Berlin)', () => {
  // 2025-06-06 is a Friday; Berlin is UTC+2 in summer.
  it('holds from Friday 16:00 Berlin', () => {
    expect(activeFreeze([weekend], 'production', at('2025-06-06T14:00:00Z'))).toMatchObject({ name: 'weekend', startedAt: at('2025-06-06T14:00:00Z'), endsAt: at('2025-06-09T07:00:00Z') });
    expect(activeFreeze([weekend], 'production', at('2025-06-06T14:30:00Z'))?.name).toBe('weekend');
  });

  it('still holds Monday 08:00 Berlin and ends at 09:00', () => {
    expect(activeFreeze([weekend], 'production', at('2025-06-09T06:00:00Z'))?.name).toBe('weekend');
    expect(activeFreeze([weekend], 'production', at('2025-06-09T06:59:59Z'))?.name).toBe('weekend');
    expect(activeFreeze([weekend], 'production', at('2025-06-09T07:00:00Z'))).toBeNull();
    expect(activeFreeze([weekend], 'production', at('2025-06-09T08:00:00Z'))).toBeNull();
  });

  it('does not hold on Thursday or before Friday 16:00', () => {
    expect(activeFreeze([weekend], 'production', at('2025-06-05T10:00:00Z'))).toBeNull();
    expect(activeFreeze([weekend], 'production', at('2025-06-06T13:59:59Z'))).toBeNull();
  });

  it('evaluates the cron in the zone, and the duration as elapsed time across a DST change', () => {
    // 2025-10-24 Friday 16:00 CEST = 14:00Z; clocks go back on Sunday, so 65h later is Monday 08:00 CET = 07:00Z.
    expect(activeFreeze([weekend], 'production', at('2025-10-27T06:59:00Z'))?.name).toBe('weekend');
    expect(activeFreeze([weekend], 'production', at('2025-10-27T07:00:00Z'))).toBeNull();
    // Winter: 16:00 CET = 15:00Z.
    expect(activeFreeze([weekend], 'production', at('2025-12-05T14:59:00Z'))).toBeNull();
    expect(activeFreeze([weekend], 'production', at('2025-12-05T15:00:00Z'))?.name).toBe('weekend');
  });

  it('covers only its environments; no environments listed means all', () => {
    expect(activeFreeze([weekend], 'staging', at('2025-06-07T12:00:00Z'))).toBeNull();
    const everywhere = { ...weekend, environments: [] };
    expect(activeFreeze([everywhere], 'staging', at('2025-06-07T12:00:00Z'))?.name).toBe('weekend');
  });

  it('returns the window that ends last when several hold', () => {
    const nightly: FreezeConfig = { name: 'nightly', cron: '0 22 * * *', duration: 10 * HOUR, environments: [], timezone: 'UTC' };
    expect(activeFreeze([nightly, weekend], 'production', at('2025-06-07T23:00:00Z'))?.name).toBe('weekend');
    expect(activeFreeze([nightly, weekend], 'production', at('2025-06-12T23:00:00Z'))?.name).toBe('nightly');
  });
});

describe('cron', () => {
  it('parses numbers, ranges, steps, lists and names', () => {
    const s = parseCron('*/15 9-17 1,15 jan-mar mon-fri');
    expect([...s.minutes]).toEqual([0, 15, 30, 45]);
    expect([...s.hours]).toHaveLength(9);
    expect([...s.days]).toEqual([1, 15]);
    expect([...s.months]).toEqual([1, 2, 3]);
    expect([...s.weekdays]).toEqual([1, 2, 3, 4, 5]);
    expect([...parseCron('0 0 * * 7').weekdays]).toEqual([0]);
    expect([...parseCron('*/20 * * * * *').seconds]).toEqual([0, 20, 40]);
  });

  it('says what is wrong with a bad expression', () => {
    expect(cronProblem('0 16 * * 5')).toBeNull();
    expect(cronProblem('0 16 * *')).toBe('expected 5 or 6 cron fields, got 4');
    expect(cronProblem('61 * * * *')).toBe('"61" is not a valid minute (0-59)');
    expect(cronProblem('* * * foo *')).toBe('"foo" is not a valid month (1-12)');
    expect(cronProblem('5-1 * * * *')).toBe('bad range "5-1" in the minute field');
    expect(cronProblem('*/0 * * * *')).toBe('bad step "*/0" in the minute field');
  });

  it('finds the next time in a zone', () => {
    expect(nextCronTime('0 16 * * 5', 'Europe/Berlin', at('2025-06-05T10:00:00Z'))).toBe(at('2025-06-06T14:00:00Z'));
    expect(nextCronTime('0 16 * * 5', 'Europe/Berlin', at('2025-06-06T14:00:00Z'))).toBe(at('2025-06-13T14:00:00Z'));
    expect(nextCronTime('*/30 * * * * *', 'UTC', at('2025-06-05T10:00:10Z'))).toBe(at('2025-06-05T10:00:30Z'));
    expect(nextCronTime('0 0 1 1 *', 'UTC', at('2025-06-05T10:00:00Z'))).toBe(at('2026-01-01T00:00:00Z'));
    expect(nextCronTime('0 0 30 2 *', 'UTC', at('2025-06-05T10:00:00Z'))).toBeNull();
  });

  it('ORs day of month and day of week when both are restricted, as cron does', () => {
    // 2025-06-13 is a Friday; the 10th comes first.
    expect(nextCronTime('0 12 10 * 5', 'UTC', at('2025-06-07T00:00:00Z'))).toBe(at('2025-06-10T12:00:00Z'));
    expect(nextCronTime('0 12 10 * 5', 'UTC', at('2025-06-10T13:00:00Z'))).toBe(at('2025-06-13T12:00:00Z'));
  });

  it('skips a wall time that does not exist on the day clocks go forward', () => {
    expect(nextCronTime('30 2 * * *', 'Europe/Berlin', at('2025-03-29T12:00:00Z'))).toBe(at('2025-03-31T00:30:00Z'));
  });
});
