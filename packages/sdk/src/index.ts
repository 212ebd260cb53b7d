import { createOperations } from './generated/client';
import { createHttp } from './http';
import type { ClientOptions, Http } from './http';

export { ApiError, buildUrl, createHttp, errorFromBody } from './http';
export type { ClientOptions, Http, HttpMethod, RequestArgs } from './http';
export type { OpArgs, OpResult } from './operation-types';
export type { components, operations, paths } from './generated/schema';
export { operationList } from './generated/client';
export type { Operations } from './generated/client';

export interface MigrateKitClient {
  /** Untyped escape hatch for endpoints the server does not publish yet. */
  http: Http;
  /** One typed function per operation of the server's OpenAPI document. */
  ops: ReturnType<typeof createOperations>;
}

export function createClient(options: ClientOptions = {}): MigrateKitClient {
  const http = createHttp(options);
  return { http, ops: createOperations(http) };
}
