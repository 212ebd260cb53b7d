export * from './clock';
export * from './context-status';
export * from './errors';
export * from './ids';
export * from './version';
export * from './peers';
export * from './bounded-body';
export * from './test-certificate';
