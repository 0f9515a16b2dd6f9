// A small cron matcher (5 fields, or 6 with seconds first) evaluated in an IANA time zone; used by freezes and the scheduler.

/** The sets of values each field allows; day-of-week 0-6 with 0 = Sunday. */
export interface CronSchedule {
  seconds: Set<number>;
  minutes: Set<number>;
  hours: Set<number>;
  days: Set<number>;
  months: Set<number>;
  weekdays: Set<number>;
  /** "*" in day-of-month / day-of-week: standard cron ORs the two day fields only when both are restricted */
  anyDay: boolean;
  anyWeekday: boolean;
}

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const WEEKDAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

interface FieldSpec {
  label: string;
  min: number;
  max: number;
  names?: string[];
  namesFrom?: number;
}

const FIELDS: FieldSpec[] = [
  { label: 'second', min: 0, max: 59 },
  { label: 'minute', min: 0, max: 59 },
  { label: 'hour', min: 0, max: 23 },
  { label: 'day of month', min: 1, max: 31 },
  { label: 'month', min: 1, max: 12, names: MONTHS, namesFrom: 1 },
  { label: 'day of week', min: 0, max: 7, names: WEEKDAYS, namesFrom: 0 },
];

/** Parses a cron expression; throws Error with a message naming the bad field. */
export function parseCron(expr: string): CronSchedule {
  const parts = expr.trim().split(/\s+/);
  if (parts.length !== 5 && parts.length !== 6) throw new Error(`expected 5 or 6 cron fields, got ${parts.length}`);
  const fields = parts.length === 5 ? ['0', ...parts] : parts;
  const sets = fields.map((field, i) => parseField(field, FIELDS[i]!));
  const weekdays = new Set([...sets[5]!].map((d) => d % 7));
  return {
    seconds: sets[0]!,
    minutes: sets[1]!,
    hours: sets[2]!,
    days: sets[3]!,
    months: sets[4]!,
    weekdays,
    anyDay: fields[3] === '*' || fields[3] === '?',
    anyWeekday: fields[5] === '*' || fields[5] === '?',
  };
}

/** The problem with a cron expression, or null when it is valid. */
export function cronProblem(expr: string): string | null {
  try {
    parseCron(expr);
    return null;
  } catch (err) {
    return (err as Error).message;
  }
}

function parseField(field: string, spec: FieldSpec): Set<number> {
  const values = new Set<number>();
  for (const part of field.toLowerCase().split(',')) {
    const [range, stepText] = part.split('/') as [string, string | undefined];
    const step = stepText === undefined ? 1 : Number(stepText);
    if (!Number.isInteger(step) || step < 1) throw new Error(`bad step "${part}" in the ${spec.label} field`);
    let from: number;
    let to: number;
    if (range === '*' || range === '?') {
      [from, to] = [spec.min, spec.max];
    } else {
      const [a, b] = range.split('-') as [string, string | undefined];
      from = valueOf(a, spec);
      to = b === undefined ? (stepText === undefined ? from : spec.max) : valueOf(b, spec);
    }
    if (from > to) throw new Error(`bad range "${part}" in the ${spec.label} field`);
    for (let v = from; v <= to; v += step) values.add(v);
  }
  return values;
}

function valueOf(text: string, spec: FieldSpec): number {
  const named = spec.names?.indexOf(text) ?? -1;
  const value = named >= 0 ? named + spec.namesFrom! : /^\d+$/.test(text) ? Number(text) : NaN;
  if (!Number.isInteger(value) || value < spec.min || value > spec.max) {
    throw new Error(`"${text}" is not a valid ${spec.label} (${spec.min}-${spec.max})`);
  }
  return value;
}

/** Wall-clock fields of an instant in a time zone. */
export interface WallTime {
  second: number;
  minute: number;
  hour: number;
  day: number;
  month: number;
  weekday: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();
const offsets = new Map<string, number>();
const OFFSET_BLOCK_MS = 15 * 60_000;

/** Offset of the zone from UTC at an instant, in ms; cached per 15-minute block (zones change offset on such boundaries). */
function offsetAt(timeZone: string, ms: number): number {
  const block = Math.floor(ms / OFFSET_BLOCK_MS);
  const key = `${timeZone}@${block}`;
  const cached = offsets.get(key);
  if (cached !== undefined) return cached;
  let fmt = formatters.get(timeZone);
  if (!fmt) {
    fmt = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' });
    formatters.set(timeZone, fmt);
  }
  const at = block * OFFSET_BLOCK_MS;
  const parts = Object.fromEntries(fmt.formatToParts(new Date(at)).map((p) => [p.type, Number(p.value)]));
  const local = Date.UTC(parts.year!, parts.month! - 1, parts.day!, parts.hour!, parts.minute!, parts.second!);
  const offset = local - at;
  if (offsets.size > 10_000) offsets.clear();
  offsets.set(key, offset);
  return offset;
}

export function wallTime(ms: number, timeZone: string): WallTime {
  const local = new Date(ms + offsetAt(timeZone, ms));
  return {
    second: local.getUTCSeconds(),
    minute: local.getUTCMinutes(),
    hour: local.getUTCHours(),
    day: local.getUTCDate(),
    month: local.getUTCMonth() + 1,
    weekday: local.getUTCDay(),
  };
}

export function matchesDay(s: CronSchedule, t: WallTime): boolean {
  if (!s.months.has(t.month)) return false;
  const dayOk = s.days.has(t.day);
  const weekdayOk = s.weekdays.has(t.weekday);
  if (s.anyDay && s.anyWeekday) return true;
  if (s.anyDay) return weekdayOk;
  if (s.anyWeekday) return dayOk;
  return dayOk || weekdayOk;
}

/** True when the schedule fires at some second of the minute holding this wall time. */
export function matchesMinute(s: CronSchedule, t: WallTime): boolean {
  return s.minutes.has(t.minute) && s.hours.has(t.hour) && matchesDay(s, t);
}

const MINUTE = 60_000;
const SEARCH_LIMIT_MS = 400 * 86_400_000;

/**
 * The first time after `afterMs` the expression fires in the zone, or null when it never does within about a year
 * (such as "0 0 30 2 *"). Skips whole days and hours that cannot match.
 */
export function nextCronTime(expr: string, timeZone: string, afterMs: number): number | null {
  const s = parseCron(expr);
  const seconds = [...s.seconds].sort((a, b) => a - b);
  let minute = Math.floor(afterMs / MINUTE) * MINUTE;
  const limit = afterMs + SEARCH_LIMIT_MS;
  while (minute <= limit) {
    const t = wallTime(minute, timeZone);
    if (!matchesDay(s, t)) {
      // Land an hour before the next local midnight (DST days are 23 or 25 hours), then go on minute by minute.
      minute += Math.max(1, (24 * 60 - (t.hour * 60 + t.minute)) - 60) * MINUTE;
      continue;
    }
    if (!s.hours.has(t.hour)) {
      minute += (60 - t.minute) * MINUTE;
      continue;
    }
    if (s.minutes.has(t.minute)) {
      const second = seconds.find((sec) => minute + sec * 1_000 > afterMs);
      if (second !== undefined) return minute + second * 1_000;
    }
    minute += MINUTE;
  }
  return null;
}

/** The latest time in (fromMs, toMs] the schedule fires, or null; scans minute by minute (fine for spans of days). */
export function lastCronTimeBetween(s: CronSchedule, timeZone: string, fromMs: number, toMs: number): number | null {
  const seconds = [...s.seconds].sort((a, b) => b - a);
  for (let minute = Math.floor(toMs / MINUTE) * MINUTE; minute + 59_000 > fromMs; minute -= MINUTE) {
    if (!matchesMinute(s, wallTime(minute, timeZone))) continue;
    const second = seconds.find((sec) => minute + sec * 1_000 <= toMs && minute + sec * 1_000 > fromMs);
    if (second !== undefined) return minute + second * 1_000;
  }
  return null;
}
