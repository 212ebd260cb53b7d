// Structured pino logs. Redaction is the second line of defence: services never put secrets in log fields, and
// if one slips through under a well-known name it is censored here (the agent uses the same list).
import { LOG_REDACTION, REDACT_PATHS } from '@migratekit/core';
import { pino, type DestinationStream, type Logger } from 'pino';
import type { LogLevel } from '../config/server-config';

/** The shared list (packages/core/src/log-redaction.ts), re-exported for the server's users. */
export { REDACT_PATHS };

export interface LoggerOptions {
  level: LogLevel;
  /** Tests pass a stream to capture every line; production writes JSON to stdout. */
  destination?: DestinationStream;
  /** Human-readable output for `migratekit dev` on a terminal. */
  pretty?: boolean;
}

export function createLogger(options: LoggerOptions): Logger {
  const base = { level: options.level, redact: LOG_REDACTION };
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
