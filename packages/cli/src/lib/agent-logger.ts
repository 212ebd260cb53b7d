// The agent's pino logger: the same redaction as the server's (packages/core/src/log-redaction.ts), since the
// agent handles the same secrets (its credential, vCenter passwords, NBD pre-shared keys).
import { LOG_REDACTION } from '@migratekit/core';
import pino, { type DestinationStream, type Logger } from 'pino';

export function createAgentLogger(level: string, destination?: DestinationStream): Logger {
  const options = { level, redact: LOG_REDACTION };
  return destination === undefined ? pino(options) : pino(options, destination);
}
