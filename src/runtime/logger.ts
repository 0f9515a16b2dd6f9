// The pino logger: JSON lines, secrets redacted by configuration rather than by care, and no line longer than a few KB.
import { pino, type Logger } from 'pino';

export type { Logger };

/** Field paths whose values never reach a log line, at the depths our log calls and the SDKs' errors use. */
export const REDACT = [
  'token', '*.token', '*.*.token', 'botToken', '*.botToken', '*.*.botToken', 'appToken', '*.appToken', '*.*.appToken',
  'signingSecret', '*.signingSecret', '*.*.signingSecret', 'secret', '*.secret', 'privateKey', '*.privateKey', '*.*.privateKey',
  'password', '*.password', 'authorization', '*.authorization', 'Authorization', '*.Authorization',
  'headers.authorization', '*.headers.authorization', 'headers.Authorization', '*.headers.Authorization', 'headers.cookie', '*.headers.cookie',
  'headers["x-slack-signature"]', '*.headers["x-slack-signature"]', 'routingKey', '*.routingKey', 'routing_key', '*.routing_key',
];

/** A line longer than this is replaced by a short line saying so (with its start), so no caller can flood the log. */
export const MAX_LINE_BYTES = 8 * 1024;
const MAX_MESSAGE = 1_000;
const MAX_STACK = 3_000;

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  const out = destination ?? pino.destination({ dest: 1, sync: true });
  return pino(
    {
      level,
      base: { service: 'flightdeck' },
      redact: { paths: REDACT, censor: '[redacted]' },
      // pino's own err serializer copies every enumerable field: Bolt's errors carry the whole request and response.
      serializers: { err: boundedError, error: boundedError },
    },
    boundedLines(out),
  );
}

/** What of an error reaches the log: its kind, message, stack, status code and cause, each cut to size. */
export function boundedError(err: unknown, depth = 0): unknown {
  if (!(err instanceof Error)) return cut(typeof err === 'string' ? err : safeJson(err), MAX_MESSAGE);
  const fields = err as unknown as Record<string, unknown>;
  const out: Record<string, unknown> = { type: err.name, message: cut(err.message, MAX_MESSAGE) };
  for (const key of ['code', 'status', 'statusCode']) {
    const value = fields[key];
    if (typeof value === 'string' || typeof value === 'number') out[key] = typeof value === 'string' ? cut(value, 100) : value;
  }
  if (err.stack) out.stack = cut(err.stack, MAX_STACK);
  if (err.cause !== undefined && depth < 2) out.cause = boundedError(err.cause, depth + 1);
  return out;
}

/** A destination that replaces lines over MAX_LINE_BYTES by a line naming their level, message and size. */
export function boundedLines(out: pino.DestinationStream): pino.DestinationStream {
  return {
    write(line: string): void {
      if (Buffer.byteLength(line) <= MAX_LINE_BYTES) {
        out.write(line);
        return;
      }
      out.write(`${JSON.stringify(summary(line))}\n`);
    },
  };
}

function summary(line: string): Record<string, unknown> {
  let parsed: Record<string, unknown> = {};
  try {
    parsed = JSON.parse(line) as Record<string, unknown>;
  } catch {
    // not JSON: only its size and start are kept
  }
  const keep = (key: string): Record<string, unknown> => (typeof parsed[key] === 'number' || typeof parsed[key] === 'string' ? { [key]: parsed[key] } : {});
  return {
    ...keep('level'),
    ...keep('time'),
    ...keep('pid'),
    ...keep('service'),
    ...keep('component'),
    ...keep('runId'),
    msg: cut(typeof parsed.msg === 'string' ? parsed.msg : '', MAX_MESSAGE),
    logLineCut: { bytes: Buffer.byteLength(line), start: line.slice(0, 1_024) },
  };
}

function cut(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max)}… (${text.length - max} more characters)`;
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
