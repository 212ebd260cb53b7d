import { createHash } from 'node:crypto';

// Deterministic ids and names derived from inventory names, so a restart yields the same ones.

export function hashHex(s: string): string {
  return createHash('sha256').update(s).digest('hex');
}

export function uuidFrom(seed: string, prefix: string): string {
  const h = prefix + hashHex(seed).slice(prefix.length, 32);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

export function dvsUuid(seed: string): string {
  const pairs = hashHex(seed).slice(0, 32).match(/../g) ?? [];
  return `${pairs.slice(0, 8).join(' ')}-${pairs.slice(8).join(' ')}`;
}

export function macFrom(seed: string): string {
  const h = hashHex(seed);
  return `00:50:56:${(parseInt(h.slice(0, 2), 16) & 0x3f).toString(16).padStart(2, '0')}:${h.slice(2, 4)}:${h.slice(4, 6)}`;
}

export function safeName(s: string): string {
  return s.replace(/[^A-Za-z0-9._-]/g, '_');
}
