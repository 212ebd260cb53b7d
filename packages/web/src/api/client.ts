import { ApiError, createClient } from '@migratekit/sdk';

// One client for the whole dashboard: same origin, the session cookie authenticates. A 401 anywhere sends
// the operator back to the login page (the session expired or was revoked). Every call goes through the
// typed operations (`api.ops`); their result types are in ./models.
let unauthorizedHandler: (() => void) | undefined;
export function onUnauthorized(handler: () => void): void {
  unauthorizedHandler = handler;
}

export const api = createClient({
  baseUrl: '',
  onUnauthorized: () => unauthorizedHandler?.(),
});

export function errorMessage(error: unknown): string {
  if (error instanceof ApiError)
    return error.code
      ? `${error.message} (${error.code}, HTTP ${error.status})`
      : `${error.message} (HTTP ${error.status})`;
  if (error instanceof Error) return error.message;
  return String(error);
}

export { ApiError };

/** The API caps `limit` at 500: reads a paged list page by page until `total` rows are in. */
export async function fetchAllPages<T>(
  fetchPage: (paging: { limit: number; offset: number }) => Promise<{ items: T[]; total: number }>,
  pageSize = 500,
): Promise<T[]> {
  const out: T[] = [];
  for (let offset = 0; ; offset += pageSize) {
    const page = await fetchPage({ limit: pageSize, offset });
    out.push(...page.items);
    if (page.items.length < pageSize || out.length >= page.total || out.length >= 100_000) return out;
  }
}
