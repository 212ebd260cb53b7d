// HTTP calls of the harness to one server's API: bearer token, a time limit and a size cap on every call, and the
// call's duration (the latency figures are measured here, from the client's side of loopback).
import { performance } from 'node:perf_hooks';

const MAX_BODY_BYTES = 64 * 1024 * 1024;
const DEFAULT_TIMEOUT_MS = 60_000;

export interface ApiAnswer<T> {
  status: number;
  body: T;
  ms: number;
}

export class LoadApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
    this.name = 'LoadApiError';
  }
}

async function boundedText(response: Response): Promise<string> {
  const body = response.body;
  if (body === null) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of body as AsyncIterable<Uint8Array>) {
    size += chunk.byteLength;
    // Leaving the loop cancels the stream.
    if (size > MAX_BODY_BYTES) throw new Error(`response larger than ${MAX_BODY_BYTES} bytes`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

export class LoadApi {
  constructor(
    readonly name: string,
    readonly url: string,
    private token: string | undefined = undefined,
  ) {}

  withToken(token: string): LoadApi {
    return new LoadApi(this.name, this.url, token);
  }

  async call<T>(method: string, path: string, body?: unknown, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<ApiAnswer<T>> {
    const started = performance.now();
    const response = await fetch(`${this.url}${path}`, {
      method,
      headers: {
        ...(this.token === undefined ? {} : { authorization: `Bearer ${this.token}` }),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(timeoutMs),
    });
    const text = await boundedText(response);
    const ms = performance.now() - started;
    return { status: response.status, body: (text === '' ? null : JSON.parse(text)) as T, ms };
  }

  /** A call that must answer 2xx. */
  async ok<T>(method: string, path: string, body?: unknown, timeoutMs?: number): Promise<T> {
    const answer = await this.call<T>(method, path, body, timeoutMs);
    if (answer.status >= 300)
      throw new LoadApiError(
        `${this.name}: ${method} ${path}: ${answer.status} ${JSON.stringify(answer.body).slice(0, 500)}`,
        answer.status,
      );
    return answer.body;
  }
}
