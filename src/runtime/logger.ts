// The pino logger: JSON lines, secrets redacted by configuration rather than by care.
import { pino, type Logger } from 'pino';

export type { Logger };

const REDACT = [
  'token', '*.token', '*.*.token', 'botToken', '*.botToken', 'appToken', '*.appToken',
  'signingSecret', '*.signingSecret', 'secret', '*.secret', 'privateKey', '*.privateKey', '*.*.privateKey',
  'password', '*.password', 'authorization', '*.authorization', 'headers.authorization', '*.headers.authorization',
  'req.headers.authorization', 'req.headers["x-slack-signature"]', 'routingKey', '*.routingKey',
];

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino({ level, base: { service: 'flightdeck' }, redact: { paths: REDACT, censor: '[redacted]' } }, destination);
}
