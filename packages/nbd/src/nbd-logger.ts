// The subset of pino's API the NBD code logs through; a pino logger fits as is.
export interface NbdLogger {
  debug(fields: object, message?: string): void;
  info(fields: object, message?: string): void;
  warn(fields: object, message?: string): void;
  error(fields: object, message?: string): void;
}

const noop = (): void => undefined;
export const silentLogger: NbdLogger = { debug: noop, info: noop, warn: noop, error: noop };
