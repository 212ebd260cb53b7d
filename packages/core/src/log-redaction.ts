// The field names that hold secrets, censored by every pino logger we create (server, agent). Redaction is
// the second line of defence: code never puts secrets in log fields; one that slips through under a
// well-known name is censored.

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
  // NBD TLS pre-shared keys (the replication request carries psk_key_hex to the agent).
  'psk',
  'psk_key',
  'psk_key_hex',
  'pskKey',
  'private_key',
  'privateKey',
];

/** Paths for pino's redact: each secret key at the top level and up to three levels deep. */
export const REDACT_PATHS: string[] = [
  'req.headers.authorization',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
  ...SECRET_KEYS.flatMap((key) => [key, `*.${key}`, `*.*.${key}`, `*.*.*.${key}`]),
];

/** pino's `redact` option. */
export const LOG_REDACTION = { paths: REDACT_PATHS, censor: '[redacted]' };
