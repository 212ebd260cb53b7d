export * from './async-jobs';
export * from './cloudstack-client';
export * from './cloudstack-transport';
export * from './errors';
export * from './params';
export * from './requests';
export * from './signing';
export * from './types';
