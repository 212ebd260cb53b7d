import type { Http } from '../http';
export const operationList = [] as const;
export function createOperations(_http: Http) {
  return {};
}
export type Operations = ReturnType<typeof createOperations>;
