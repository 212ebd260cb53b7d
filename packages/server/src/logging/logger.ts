// Structured pino logs. Redaction is the second line of defence: services never put secrets in log fields, and
// if one slips through under a well-known name it is censored here.
import { pino, type DestinationStream, type Logger } from 'pino';
import type { LogLevel } from '../config/server-config';

const SECRET_KEYS = [
  'password',
  'new_password',
  'current_password',
  'password_hash',
  'secret',
  'secret_key',
  'secretKey',
  'api_key',
  'apiKey',
  'token',
  'authorization',
  'cookie',
  'masterKey',
  'master_key',
];

/** Paths for pino's redact: each secret key at the top level and up to three levels deep. */
export const REDACT_PATHS: string[] = [
  'req.headers.authorization',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
  ...SECRET_KEYS.flatMap((key) => [key, `*.${key}`, `*.*.${key}`, `*.*.*.${key}`]),
];

export interface LoggerOptions {
  level: LogLevel;
  /** Tests pass a stream to capture every line; production writes JSON to stdout. */
  destination?: DestinationStream;
  /** Human-readable output for `migratekit dev` on a terminal. */
  pretty?: boolean;
}

export function createLogger(options: LoggerOptions): Logger {
  const base = { level: options.level, redact: { paths: REDACT_PATHS, censor: '[redacted]' } };
  if (options.destination !== undefined) return pino(base, options.destination);
  if (options.pretty === true) {
    return pino({
      ...base,
      transport: {
        target: 'pino-pretty',
        options: { colorize: true, translateTime: 'SYS:HH:MM:ss', ignore: 'pid,hostname' },
      },
    });
  }
  return pino(base);
}
