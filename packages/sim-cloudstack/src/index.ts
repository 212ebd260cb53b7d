export * from './api-error';
export * from './cloudstack-simulator';
export * from './command-table';
export * from './default-seed';
export * from './faults';
export * from './http-server';
export type * from './sim-types';
export { volumeSerial } from './volume-files';
