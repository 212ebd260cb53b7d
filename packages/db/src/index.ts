export * from './schema';
export * from './open-database';
export { migrateToLatest } from './migrations/migrator';
export * from './repositories';
