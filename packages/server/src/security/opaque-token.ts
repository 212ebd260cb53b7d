// Session ids and API tokens are random bearer secrets. Only their SHA-256 is stored: the values have 256 bits
// of entropy, so a fast hash is enough and lookups stay an indexed equality match.
import { createHash, randomBytes } from 'node:crypto';

export const API_TOKEN_PREFIX = 'mkt_';
export const SESSION_PREFIX = 'mks_';

export function newOpaqueToken(prefix: string): string {
  return `${prefix}${randomBytes(32).toString('base64url')}`;
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** A short, non-secret hint for listings ("mkt_Ab3d..."), enough to tell tokens apart. */
export function tokenHint(token: string): string {
  return token.slice(0, API_TOKEN_PREFIX.length + 6);
}

export function randomPassword(): string {
  return randomBytes(18).toString('base64url');
}
