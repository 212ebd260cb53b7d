import { isMigrateKitError, readBoundedText, systemClock, type Clock } from '@migratekit/core';
import { CloudStackApiError, CloudStackResponseError, CloudStackTransportError } from './errors';
import { computeSignature, encodeSignedParams, formatExpires, normalizeApiUrl } from './signing';

/** pino-compatible subset; the client never logs parameters or keys. */
export interface CloudStackLogger {
  debug(fields: Record<string, unknown>, message: string): void;
  warn(fields: Record<string, unknown>, message: string): void;
}

export type FetchLike = (url: string, init: RequestInit) => Promise<Response>;

export interface RetryOptions {
  /** Extra attempts after the first one, for safe commands only. */
  attempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export interface CloudStackTransportOptions {
  apiUrl: string;
  apiKey: string;
  secretKey: string;
  fetch?: FetchLike;
  clock?: Clock;
  logger?: CloudStackLogger;
  /** 'auto' (default): GET for reads, POST for everything that changes state. */
  method?: 'auto' | 'GET' | 'POST';
  /** How far in the future `expires` is set (signatureversion=3). */
  expiresInMs?: number;
  /**
   * Deadline for one call, connect to the last body byte (default 60 s). The connect itself is also bounded
   * by fetch's (undici's) own connect timeout of 10 s.
   */
  requestTimeoutMs?: number;
  /** Largest answer read (default 64 MiB); a bigger one fails the call instead of filling the memory. */
  maxResponseBytes?: number;
  retry?: Partial<RetryOptions>;
}

export type ApiObject = Record<string, unknown>;

/** Reads and job polling can be repeated without effect; anything else may have happened on the server. */
function isSafeToRetry(command: string): boolean {
  return command.startsWith('list') || command === 'queryAsyncJobResult';
}

const noopLogger: CloudStackLogger = { debug: () => undefined, warn: () => undefined };

function isObject(value: unknown): value is ApiObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Signs, sends and unwraps one CloudStack API call; retries only what is safe to repeat. */
export class CloudStackTransport {
  readonly apiUrl: string;
  private readonly apiKey: string;
  private readonly secretKey: string;
  private readonly fetchImpl: FetchLike;
  readonly clock: Clock;
  readonly logger: CloudStackLogger;
  private readonly method: 'auto' | 'GET' | 'POST';
  private readonly expiresInMs: number;
  private readonly requestTimeoutMs: number;
  private readonly maxResponseBytes: number;
  private readonly retry: RetryOptions;

  constructor(options: CloudStackTransportOptions) {
    this.apiUrl = normalizeApiUrl(options.apiUrl);
    this.apiKey = options.apiKey;
    this.secretKey = options.secretKey;
    this.fetchImpl = options.fetch ?? ((url, init) => fetch(url, init));
    this.clock = options.clock ?? systemClock;
    this.logger = options.logger ?? noopLogger;
    this.method = options.method ?? 'auto';
    this.expiresInMs = options.expiresInMs ?? 10 * 60_000;
    this.requestTimeoutMs = options.requestTimeoutMs ?? 60_000;
    this.maxResponseBytes = options.maxResponseBytes ?? 64 * 1024 * 1024;
    this.retry = { attempts: 3, baseDelayMs: 500, maxDelayMs: 8_000, ...options.retry };
  }

  /** The signed parameter set for one call (exported for tests and for the `cs` comparison). */
  signedParams(command: string, params: Record<string, string>): { params: Record<string, string>; signature: string } {
    const all: Record<string, string> = {
      ...params,
      command,
      response: 'json',
      apikey: this.apiKey,
      signatureversion: '3',
      expires: formatExpires(new Date(this.clock.now().getTime() + this.expiresInMs)),
    };
    return { params: all, signature: computeSignature(all, this.secretKey) };
  }

  /** Calls `command` and returns the object inside `<command>response`. */
  async call(command: string, params: Record<string, string> = {}, signal?: AbortSignal): Promise<ApiObject> {
    const retries = isSafeToRetry(command) ? this.retry.attempts : 0;
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.once(command, params, signal);
      } catch (error) {
        const retryable =
          error instanceof CloudStackTransportError || (error instanceof CloudStackApiError && error.errorCode === 429);
        if (!retryable || attempt >= retries || signal?.aborted) throw error;
        const delay = Math.min(this.retry.baseDelayMs * 2 ** attempt, this.retry.maxDelayMs);
        this.logger.warn(
          { command, attempt: attempt + 1, delayMs: delay, error: (error as Error).message },
          'retrying',
        );
        await this.clock.sleep(delay, signal);
      }
    }
  }

  private httpMethod(command: string): 'GET' | 'POST' {
    if (this.method !== 'auto') return this.method;
    return isSafeToRetry(command) || command === 'listCapabilities' ? 'GET' : 'POST';
  }

  private async once(command: string, params: Record<string, string>, signal?: AbortSignal): Promise<ApiObject> {
    const { params: signed, signature } = this.signedParams(command, params);
    const body = encodeSignedParams(signed, signature);
    const method = this.httpMethod(command);
    const timeout = AbortSignal.timeout(this.requestTimeoutMs);
    const init: RequestInit = {
      method,
      headers: { accept: 'application/json' },
      signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
    };
    let url = this.apiUrl;
    if (method === 'GET') url = `${this.apiUrl}?${body}`;
    else {
      init.body = body;
      init.headers = { ...init.headers, 'content-type': 'application/x-www-form-urlencoded' };
    }
    const started = Date.now();
    let response: Response;
    let text: string;
    try {
      response = await this.fetchImpl(url, init);
    } catch (error) {
      if (signal?.aborted) throw error;
      throw new CloudStackTransportError(command, error);
    }
    try {
      text = await readBoundedText(response, this.maxResponseBytes, `CloudStack ${command}`);
    } catch (error) {
      if (signal?.aborted) throw error;
      // Too large: the remote answered, but not as an API answers; not retried.
      if (isMigrateKitError(error)) throw new CloudStackResponseError(command, response.status, error.message);
      throw new CloudStackTransportError(command, error);
    }
    this.logger.debug({ command, method, httpStatus: response.status, ms: Date.now() - started }, 'cloudstack call');
    return this.unwrap(command, response.status, text);
  }

  private unwrap(command: string, status: number, text: string): ApiObject {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      if (status === 429)
        throw new CloudStackApiError({ command, errorCode: 429, errorText: 'API rate limit exceeded' });
      throw new CloudStackResponseError(command, status, 'the body is not JSON');
    }
    if (!isObject(parsed)) throw new CloudStackResponseError(command, status, 'the body is not a JSON object');
    const wrapperName = `${command.toLowerCase()}response`;
    // CloudStack always wraps the body in `<something>response`; any other JSON (a proxy, another API) is not it.
    const fallbackKey = Object.keys(parsed).find((key) => key.endsWith('response'));
    const inner =
      parsed[wrapperName] ?? parsed.errorresponse ?? (fallbackKey === undefined ? undefined : parsed[fallbackKey]);
    if (!isObject(inner)) throw new CloudStackResponseError(command, status, `no ${wrapperName} object`);
    if (status !== 200 || typeof inner.errorcode === 'number') {
      const errorCode = typeof inner.errorcode === 'number' ? inner.errorcode : status;
      throw new CloudStackApiError({
        command,
        errorCode,
        csErrorCode: typeof inner.cserrorcode === 'number' ? inner.cserrorcode : undefined,
        errorText: typeof inner.errortext === 'string' ? inner.errortext : `HTTP ${status}`,
      });
    }
    return inner;
  }
}
