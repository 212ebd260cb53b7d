// What the repositories of named, secret-holding settings rows share (vCenter credentials with one default,
// CloudStack configurations with one active): the flag held by at most one row, and the unique name.
import { MigrateKitError } from '@migratekit/core';
import type { Kysely } from 'kysely';
import type { DatabaseSchema, NewRow, Timestamp } from '../schema';
import { isUniqueViolation } from './repository-deps';

/** Each settings table and the boolean column that at most one of its rows holds. */
interface ExclusiveFlags {
  vmware_credentials: 'is_default';
  cloudstack_configs: 'is_active';
}
export type FlaggedTable = keyof ExclusiveFlags;

// Kysely cannot type a column chosen by a parameter, so the statements below use this loose view of the
// tables; the exported signatures tie each table to its own flag and row type, so callers stay checked.
interface LooseRow {
  id: string;
  updated_at: Timestamp;
  [column: string]: string | number | boolean | Timestamp | null;
}
type LooseDb = Kysely<Record<FlaggedTable, LooseRow>>;

/** MKE_DUPLICATE for a name already taken; `label` names the kind (`VMware credential`). */
function duplicateName(label: string, name: string | undefined): MigrateKitError {
  return new MigrateKitError('MKE_DUPLICATE', {
    message: `A ${label} named ${name ?? ''} already exists`,
    field: 'body.name',
  });
}

/** Runs a write; a unique-key violation (the name) becomes MKE_DUPLICATE. */
export async function uniqueName<T>(label: string, name: string | undefined, write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (error) {
    if (isUniqueViolation(error)) throw duplicateName(label, name);
    throw error;
  }
}

/** Inserts the row in one transaction; when it holds the flag, every other row loses it first. */
export async function insertExclusive<T extends FlaggedTable>(
  db: Kysely<DatabaseSchema>,
  table: T,
  flag: ExclusiveFlags[T],
  values: NewRow<T>,
  now: Timestamp,
): Promise<void> {
  const loose = db as unknown as LooseDb;
  const name: FlaggedTable = table;
  const column: string = flag;
  const row = values as unknown as LooseRow;
  await loose.transaction().execute(async (tx) => {
    if (row[column]) {
      await tx
        .updateTable(name)
        .set({ [column]: false, updated_at: now })
        .where(column, '=', true)
        .execute();
    }
    await tx.insertInto(name).values(row).execute();
  });
}

/** Gives the flag to this row only, in one transaction; false when the row does not exist. */
export async function setExclusive<T extends FlaggedTable>(
  db: Kysely<DatabaseSchema>,
  table: T,
  flag: ExclusiveFlags[T],
  id: string,
  now: Timestamp,
): Promise<boolean> {
  const loose = db as unknown as LooseDb;
  const name: FlaggedTable = table;
  const column: string = flag;
  return loose.transaction().execute(async (tx) => {
    const exists = await tx.selectFrom(name).select('id').where('id', '=', id).executeTakeFirst();
    if (exists === undefined) return false;
    await tx
      .updateTable(name)
      .set({ [column]: false, updated_at: now })
      .where('id', '!=', id)
      .where(column, '=', true)
      .execute();
    await tx
      .updateTable(name)
      .set({ [column]: true, updated_at: now })
      .where('id', '=', id)
      .execute();
    return true;
  });
}
