export * from './schema';
export * from './open-database';
export { engineOf } from './engine-of';
export { migrateToLatest, migrateDown, MIGRATIONS } from './migrations/migrator';
export * from './repositories';
