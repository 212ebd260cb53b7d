export * from './clock';
export * from './statuses';
export * from './errors';
export * from './ids';
export * from './version';
export * from './peers';
export * from './events';
