// The runtime half of the SDK: one typed `request` over fetch. The generated half (src/generated/) only adds
// types and one named function per API operation on top of it.

export type HttpMethod = 'get' | 'post' | 'put' | 'patch' | 'delete';

export type QueryValue = string | number | boolean;

export interface RequestArgs {
  path?: Record<string, string | number> | undefined;
  query?: Record<string, QueryValue | QueryValue[] | undefined | null> | undefined;
  body?: unknown;
  signal?: AbortSignal | undefined;
}

export interface ClientOptions {
  /** Origin of the server, e.g. `http://127.0.0.1:8080`; empty for same-origin use in the browser. */
  baseUrl?: string;
  /** Bearer API token (CLI, scripts); browsers use the session cookie instead. */
  token?: string;
  fetch?: typeof fetch;
  /** Called for every 401 answer, before the error is thrown (the dashboard shows its login page). */
  onUnauthorized?: (error: ApiError) => void;
}

/** An answer other than 2xx, carrying the API's own code and message. */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string | undefined;
  readonly body: unknown;

  constructor(status: number, message: string, code: string | undefined, body: unknown) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.body = body;
  }

  /** A field of the error body, e.g. `existing_context_id` of a duplicate 409, at the top or in `error.details`. */
  field(name: string): unknown {
    if (!isRecord(this.body)) return undefined;
    if (name in this.body) return this.body[name];
    const err = this.body.error;
    if (!isRecord(err)) return undefined;
    if (name in err) return err[name];
    return isRecord(err.details) ? err.details[name] : undefined;
  }
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Reads `{message}`, `{error: "text"}` or `{error: {code, message}}`, the shapes the API and Fastify use. */
export function errorFromBody(status: number, statusText: string, body: unknown): ApiError {
  let message: string | undefined;
  let code: string | undefined;
  if (isRecord(body)) {
    const err = body.error;
    if (isRecord(err)) {
      if (typeof err.message === 'string') message = err.message;
      if (typeof err.code === 'string') code = err.code;
    }
    if (typeof body.message === 'string') message = message ?? body.message;
    if (typeof err === 'string') message = message ?? err;
    if (typeof body.code === 'string') code = code ?? body.code;
  } else if (typeof body === 'string' && body.trim() !== '') {
    message = body.trim().slice(0, 500);
  }
  return new ApiError(status, message ?? `${status} ${statusText}`.trim(), code, body);
}

export function buildUrl(baseUrl: string, template: string, args: RequestArgs): string {
  const path = template.replace(/\{([^}]+)\}/g, (_m, name: string) => {
    const value = args.path?.[name];
    if (value === undefined) throw new Error(`missing path parameter ${name} for ${template}`);
    return encodeURIComponent(String(value));
  });
  const qs = new URLSearchParams();
  for (const [k, v] of Object.entries(args.query ?? {})) {
    if (v === undefined || v === null) continue;
    // Repeated keys for arrays (`status=failed&status=cancelled`), as Fastify's query parser reads them.
    for (const item of Array.isArray(v) ? v : [v]) qs.append(k, String(item));
  }
  const q = qs.toString();
  return `${baseUrl}${path}${q ? `?${q}` : ''}`;
}

export interface Http {
  readonly baseUrl: string;
  request<T>(method: HttpMethod, template: string, args?: RequestArgs): Promise<T>;
}

export function createHttp(options: ClientOptions = {}): Http {
  const baseUrl = (options.baseUrl ?? '').replace(/\/$/, '');
  const doFetch = options.fetch ?? globalThis.fetch.bind(globalThis);
  return {
    baseUrl,
    async request<T>(method: HttpMethod, template: string, args: RequestArgs = {}): Promise<T> {
      const headers: Record<string, string> = { accept: 'application/json' };
      if (options.token) headers.authorization = `Bearer ${options.token}`;
      const init: RequestInit = { method: method.toUpperCase(), headers, credentials: 'same-origin' };
      if (args.body !== undefined) {
        headers['content-type'] = 'application/json';
        init.body = JSON.stringify(args.body);
      }
      if (args.signal) init.signal = args.signal;
      const res = await doFetch(buildUrl(baseUrl, template, args), init);
      const text = await res.text();
      let body: unknown = undefined;
      if (text !== '') {
        try {
          body = JSON.parse(text) as unknown;
        } catch {
          body = text;
        }
      }
      if (!res.ok) {
        const error = errorFromBody(res.status, res.statusText, body);
        if (res.status === 401) options.onUnauthorized?.(error);
        throw error;
      }
      return body as T;
    },
  };
}
