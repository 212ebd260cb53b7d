// A small typed fetch client for the CLI: bearer token, JSON in and out, the server's error envelope turned
// into one readable message.
import type { CliTarget } from './cli-config';

export class CliApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly body: unknown,
  ) {
    super(message);
    this.name = 'CliApiError';
  }
}

export interface ApiClient {
  url: string;
  request<T>(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<T>;
}

export function apiClient(target: CliTarget): ApiClient {
  return {
    url: target.url,
    async request<T>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<T> {
      const response = await fetch(`${target.url}${path}`, {
        method,
        headers: {
          ...(target.token === undefined ? {} : { authorization: `Bearer ${target.token}` }),
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          ...headers,
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      const text = await response.text();
      const parsed: unknown = text === '' ? null : JSON.parse(text);
      if (!response.ok) {
        const error = (parsed as { error?: { code?: string; message?: string } } | null)?.error;
        throw new CliApiError(
          response.status,
          error?.code ?? `HTTP_${response.status}`,
          `${error?.code ?? response.status}: ${error?.message ?? response.statusText}`,
          parsed,
        );
      }
      return parsed as T;
    },
  };
}
