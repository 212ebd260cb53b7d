import { createHmac } from 'node:crypto';

// CloudStack verifies a request by re-encoding every received parameter the way Java's URLEncoder does,
// sorting by the received names, lowercasing the whole string and comparing an HMAC-SHA1. Any difference
// in escaping (TypeScript's encodeURIComponent leaves ! ' ( ) ~ alone) breaks the signature, so the
// encoder below reproduces Java byte for byte.

const UNRESERVED = new Set<number>();
for (const range of [
  [0x30, 0x39],
  [0x41, 0x5a],
  [0x61, 0x7a],
]) {
  for (let c = range[0] ?? 0; c <= (range[1] ?? -1); c++) UNRESERVED.add(c);
}
for (const c of '.-*_') UNRESERVED.add(c.charCodeAt(0));

/** Java `URLEncoder.encode(v, "UTF-8")` with `+` replaced by `%20`: only A-Z a-z 0-9 . - * _ stay as they are. */
export function javaUrlEncode(value: string): string {
  let out = '';
  for (const byte of Buffer.from(value, 'utf8')) {
    out += UNRESERVED.has(byte) ? String.fromCharCode(byte) : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** Java `Collections.sort` on strings compares UTF-16 code units, which is what `<` does in JavaScript. */
function compareJava(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The string the server signs: every parameter but `signature`, sorted by name as received, then lowercased. */
export function signingString(params: Readonly<Record<string, string>>): string {
  return Object.keys(params)
    .filter((name) => name.toLowerCase() !== 'signature')
    .sort(compareJava)
    .map((name) => `${name}=${javaUrlEncode(params[name] ?? '')}`)
    .join('&')
    .toLowerCase();
}

/** Base64(HMAC-SHA1(secret, signingString(params))). */
export function computeSignature(params: Readonly<Record<string, string>>, secretKey: string): string {
  return createHmac('sha1', secretKey).update(signingString(params), 'utf8').digest('base64');
}

/** `yyyy-MM-dd'T'HH:mm:ss+0000`: the form every CloudStack release parses (newer ones accept more). */
export function formatExpires(date: Date): string {
  return `${date.toISOString().slice(0, 19)}+0000`;
}

/**
 * Parses the `expires` forms CloudStack accepts (DateUtil.parseTZDateString): an ISO-8601 date-time with
 * seconds, optional fraction, and a zone given as Z, +hh:mm or +hhmm (the legacy `...ss'Z'Z` form too).
 * Returns undefined for anything else, which the server treats as a missing expiry.
 */
export function parseExpires(value: string): Date | undefined {
  const match = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(\.\d+)?Z?(Z|[+-]\d{2}:?\d{2})$/.exec(value);
  if (!match) return undefined;
  const [, dateTime, fraction = '', zone = 'Z'] = match;
  const offset = zone === 'Z' ? 'Z' : `${zone.slice(0, 3)}:${zone.slice(-2)}`;
  const date = new Date(`${dateTime}${fraction.slice(0, 4)}${offset}`);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

/**
 * The query string or form body to send: the same parameters plus the signature. Values are escaped with
 * the Java encoder too, so a literal `+` travels as %2B and is never decoded as a space.
 */
export function encodeSignedParams(params: Readonly<Record<string, string>>, signature: string): string {
  return [...Object.entries(params), ['signature', signature] as const]
    .map(([name, value]) => `${javaUrlEncode(name)}=${javaUrlEncode(value)}`)
    .join('&');
}

/**
 * Operators type `host:port`; the API lives at `/client/api`. Adds `http://` when no scheme is given (keeps
 * https when it is), and the API path when the URL has no path.
 */
export function normalizeApiUrl(input: string): string {
  const trimmed = input.trim().replace(/\/+$/, '');
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed) ? trimmed : `http://${trimmed}`;
  const url = new URL(withScheme);
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error(`unsupported scheme ${url.protocol}`);
  if (url.pathname === '/' || url.pathname === '') url.pathname = '/client/api';
  else if (url.pathname.replace(/\/+$/, '') === '/client') url.pathname = '/client/api';
  return url.toString().replace(/\/+$/, '');
}
