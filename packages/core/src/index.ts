export * from './clock';
export * from './context-status';
export * from './workflow-status';
export * from './errors';
export * from './ids';
export * from './version';
export * from './peers';
