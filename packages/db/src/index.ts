export * from './schema';
export * from './open-database';
export { migrateToLatest, migrateDown, MIGRATIONS } from './migrations/migrator';
