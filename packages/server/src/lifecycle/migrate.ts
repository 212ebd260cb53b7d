// `migratekit server migrate [--dry-run]`: the schema change a start would make, shown or applied on its own
// (an operator upgrading a package can see it before restarting the service).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import {
  MIGRATIONS,
  defaultDatabaseUrl,
  migrateToLatest,
  openDatabase,
  pendingMigrations,
  sqlitePathOfUrl,
} from '@migratekit/db';
import type { ServerConfig } from '../config/server-config';

export interface MigrationPlan {
  database: string;
  engine: string;
  /** Pending migrations (dry run), or the ones just applied. */
  migrations: string[];
  applied: boolean;
}

export async function migrateDatabase(config: ServerConfig, options: { dryRun: boolean }): Promise<MigrationPlan> {
  const url = config.databaseUrl ?? `sqlite:${join(config.dataDir, 'migratekit.db')}`;
  const file = sqlitePathOfUrl(url);
  // A dry run changes nothing, not even by creating the SQLite file: a missing one would get every migration.
  if (options.dryRun && file !== undefined && !existsSync(file))
    return { database: url, engine: 'sqlite', migrations: Object.keys(MIGRATIONS), applied: false };
  const database = openDatabase(config.databaseUrl ?? defaultDatabaseUrl(config.dataDir));
  try {
    const migrations = options.dryRun ? await pendingMigrations(database.db) : await migrateToLatest(database.db);
    return { database: database.displayUrl, engine: database.engine, migrations, applied: !options.dryRun };
  } finally {
    await database.close();
  }
}
