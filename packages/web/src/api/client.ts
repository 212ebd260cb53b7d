import { ApiError, createClient } from '@migratekit/sdk';
import type { Page } from './types';

// One client for the whole dashboard: same origin, the session cookie authenticates. A 401 anywhere sends
// the operator back to the login page (the session expired or was revoked).
let unauthorizedHandler: (() => void) | undefined;
export function onUnauthorized(handler: () => void): void {
  unauthorizedHandler = handler;
}

export const api = createClient({
  baseUrl: '',
  onUnauthorized: () => unauthorizedHandler?.(),
});

export const http = api.http;

/** Lists may come back bare or paged (`{items}`), or under a named key; the dashboard wants the rows. */
export function rows<T>(value: unknown, key?: string): T[] {
  if (!value || typeof value !== 'object') return [];
  if (Array.isArray(value)) return value as T[];
  const record = value as Record<string, unknown>;
  if (Array.isArray(record.items)) return record.items as T[];
  if (key && Array.isArray(record[key])) return record[key] as T[];
  const firstArray = Object.values(record).find((v) => Array.isArray(v));
  return (firstArray as T[] | undefined) ?? [];
}

export function errorMessage(error: unknown): string {
  if (error instanceof ApiError)
    return error.code
      ? `${error.message} (${error.code}, HTTP ${error.status})`
      : `${error.message} (HTTP ${error.status})`;
  if (error instanceof Error) return error.message;
  return String(error);
}

export { ApiError };

/** Walks a paged list (the API caps `limit` at 500) until every row is read. */
export async function fetchAllPages<T>(
  path: string,
  query: Record<string, string | number> = {},
  pageSize = 500,
): Promise<T[]> {
  const out: T[] = [];
  for (let offset = 0; ; offset += pageSize) {
    const body = await http.request<T[] | Page<T>>('get', path, { query: { ...query, limit: pageSize, offset } });
    if (Array.isArray(body)) return [...out, ...body];
    const items = rows<T>(body);
    out.push(...items);
    const total = typeof body.total === 'number' ? body.total : undefined;
    if (items.length < pageSize || (total !== undefined && out.length >= total) || out.length >= 100_000) return out;
  }
}
