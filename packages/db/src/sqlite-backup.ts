// Online backup of the SQLite default through SQLite's backup API (better-sqlite3 .backup()): consistent while
// the server keeps writing, WAL included. `migratekit backup` / `restore` use it (docs/install.md).
import { chmodSync } from 'node:fs';
import BetterSqlite3 from 'better-sqlite3';

/** The file of a `sqlite:` URL, or undefined for another engine or an in-memory database. */
export function sqlitePathOfUrl(url: string): string | undefined {
  if (!url.startsWith('sqlite:')) return undefined;
  const rest = url.slice('sqlite:'.length).replace(/^\/\/(?=\/)/, '');
  return rest === '' || rest === ':memory:' ? undefined : rest;
}

/** Copies the live database at `source` to `destination` (created owner-only); returns the pages copied. */
export async function backupSqlite(source: string, destination: string): Promise<number> {
  const database = new BetterSqlite3(source, { readonly: true, fileMustExist: true });
  try {
    const result = await database.backup(destination);
    chmodSync(destination, 0o600);
    return result.totalPages;
  } finally {
    database.close();
  }
}

export interface SqliteFileCheck {
  /** `ok` when PRAGMA integrity_check passes, else its first message. */
  integrity: string;
  /** Applied migrations by name (empty for a file that is not a MigrateKit database). */
  migrations: string[];
}

/** Opens a database file read-only and reports its integrity and applied migrations. */
export function checkSqliteFile(path: string): SqliteFileCheck {
  const database = new BetterSqlite3(path, { readonly: true, fileMustExist: true });
  try {
    const integrity = String(database.pragma('integrity_check', { simple: true }));
    const hasMigrations = database
      .prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'kysely_migration'")
      .get();
    const migrations =
      hasMigrations === undefined
        ? []
        : database
            .prepare('SELECT name FROM kysely_migration ORDER BY name')
            .all()
            .map((row) => (row as { name: string }).name);
    return { integrity, migrations };
  } finally {
    database.close();
  }
}
