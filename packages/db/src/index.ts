export * from './schema';
export * from './open-database';
export { MIGRATIONS, migrateToLatest, pendingMigrations } from './migrations/migrator';
export { backupSqlite, checkSqliteFile, sqlitePathOfUrl } from './sqlite-backup';
export * from './repositories';
export { PgNotificationListener, type PgNotificationListenerOptions } from './pg-notification-listener';
