// Shared plumbing of the API commands: the client for the resolved target and one way to fail.
import { apiClient, CliApiError, type ApiClient } from './api-client';
import { resolveTarget } from './cli-config';

export interface JsonOption {
  json?: boolean;
}

export function client(): ApiClient {
  return apiClient(resolveTarget());
}

/** Runs an action; errors become one line on stderr (or the error body with --json) and exit code 1. */
export function action<A extends unknown[]>(work: (...args: A) => Promise<void>): (...args: A) => Promise<void> {
  return async (...args: A) => {
    try {
      await work(...args);
    } catch (error) {
      const json = args.some((a) => typeof a === 'object' && a !== null && (a as JsonOption).json === true);
      if (json && error instanceof CliApiError) process.stdout.write(`${JSON.stringify(error.body, null, 2)}\n`);
      process.stderr.write(`migratekit: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exitCode = 1;
    }
  };
}
