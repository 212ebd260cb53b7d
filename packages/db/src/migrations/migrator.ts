// Migrations live in code (one file per change) and run at start-up through the kysely Migrator.
import { Migrator, type Kysely, type Migration, type MigrationResultSet } from 'kysely';
import { initialSchema } from './0001-initial-schema';
import { volumeViewIndexes } from './0002-volume-view-indexes';
import { workflowRunner } from './0003-workflow-runner';
import { networkMappingValidation } from './0004-network-mapping-validation';
import { schedulerLeases } from './0007-scheduler-leases';
import { guestInspectionResults } from './0008-guest-inspection-results';
import { recoveryPlans } from './0009-recovery-plans';
import { multiServer } from './0010-multi-server';
import { serverEvents } from './0011-server-events';
import { serverAgentFingerprint } from './0012-server-agent-fingerprint';

/** Ordered by name; add a new file and an entry here for every schema change, never edit an applied one. */
export const MIGRATIONS: Readonly<Record<string, Migration>> = {
  '0001-initial-schema': initialSchema,
  '0002-volume-view-indexes': volumeViewIndexes,
  '0003-workflow-runner': workflowRunner,
  '0004-network-mapping-validation': networkMappingValidation,
  '0007-scheduler-leases': schedulerLeases,
  '0008-guest-inspection-results': guestInspectionResults,
  '0009-recovery-plans': recoveryPlans,
  '0010-multi-server': multiServer,
  '0011-server-events': serverEvents,
  '0012-server-agent-fingerprint': serverAgentFingerprint,
};

function migrator(db: Kysely<unknown>): Migrator {
  return new Migrator({ db, provider: { getMigrations: () => Promise.resolve({ ...MIGRATIONS }) } });
}

function unwrap(result: MigrationResultSet): string[] {
  if (result.error !== undefined) {
    const failed = result.results?.find((r) => r.status === 'Error')?.migrationName ?? 'unknown';
    throw new Error(`database migration ${failed} failed`, { cause: result.error });
  }
  return (result.results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

/** Applies every pending migration; returns the names it applied. */
export async function migrateToLatest<T>(db: Kysely<T>): Promise<string[]> {
  return unwrap(await migrator(db as Kysely<unknown>).migrateToLatest());
}

/** The migrations not applied yet, in the order they would run (what `migratekit server migrate --dry-run` shows). */
export async function pendingMigrations<T>(db: Kysely<T>): Promise<string[]> {
  const known = await migrator(db as Kysely<unknown>).getMigrations();
  return known.filter((m) => m.executedAt === undefined).map((m) => m.name);
}

/** Rolls back the most recent migration (for development and tests). */
export async function migrateDown<T>(db: Kysely<T>): Promise<string[]> {
  return unwrap(await migrator(db as Kysely<unknown>).migrateDown());
}
