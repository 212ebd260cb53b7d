// What every repository is built from: the query builder (or a transaction), the engine for the few statements
// that differ per engine, and the clock that stamps created_at/updated_at.
import type { Clock } from '@migratekit/core';
import type { Kysely } from 'kysely';
import type { DatabaseEngine, DatabaseSchema } from '../schema';

export interface RepositoryDeps {
  db: Kysely<DatabaseSchema>;
  engine: DatabaseEngine;
  clock: Clock;
}

export interface Paging {
  limit?: number;
  offset?: number;
}

export interface Page<T> {
  items: T[];
  total: number;
}

const DEFAULT_PAGE_SIZE = 50;
const MAX_PAGE_SIZE = 1000;

export function pageBounds(paging: Paging = {}): { limit: number; offset: number } {
  const limit = Math.min(Math.max(1, Math.trunc(paging.limit ?? DEFAULT_PAGE_SIZE)), MAX_PAGE_SIZE);
  const offset = Math.max(0, Math.trunc(paging.offset ?? 0));
  return { limit, offset };
}

/** JSON columns are TEXT: serialize on the way in (undefined and null both store NULL). */
export function toJson(value: unknown): string | null {
  return value === undefined || value === null ? null : JSON.stringify(value);
}

export function fromJson<T>(text: string | null): T | null {
  return text === null ? null : (JSON.parse(text) as T);
}

/** True when the error is a unique-key (or primary-key) violation, on any of the three engines. */
export function isUniqueViolation(error: unknown): boolean {
  const e = error as { code?: unknown; errno?: unknown } | null;
  if (e === null || typeof e !== 'object') return false;
  return (
    e.code === '23505' ||
    e.code === 'ER_DUP_ENTRY' ||
    e.errno === 1062 ||
    e.code === 'SQLITE_CONSTRAINT_UNIQUE' ||
    e.code === 'SQLITE_CONSTRAINT_PRIMARYKEY'
  );
}

/** True when the error is a foreign-key violation, on any of the three engines. */
export function isForeignKeyViolation(error: unknown): boolean {
  const e = error as { code?: unknown; errno?: unknown } | null;
  if (e === null || typeof e !== 'object') return false;
  return (
    e.code === '23503' ||
    e.code === 'ER_NO_REFERENCED_ROW_2' ||
    e.code === 'ER_ROW_IS_REFERENCED_2' ||
    e.errno === 1452 ||
    e.errno === 1451 ||
    e.code === 'SQLITE_CONSTRAINT_FOREIGNKEY'
  );
}

/** Affected-row count from an UPDATE/DELETE result, as a number on every driver. */
export function affected(result: { numUpdatedRows?: bigint; numDeletedRows?: bigint }): number {
  return Number(result.numUpdatedRows ?? result.numDeletedRows ?? 0n);
}
