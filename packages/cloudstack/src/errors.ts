import { MigrateKitError, type ErrorCode } from '@migratekit/core';

/** An error CloudStack itself reported: an HTTP error body, or a failed async job. */
export class CloudStackApiError extends Error {
  readonly command: string;
  /** ApiErrorCode: 401, 431, 530, ... (equal to the HTTP status for synchronous errors). */
  readonly errorCode: number;
  /** CSExceptionErrorCode (4350 InvalidParameterValue, 4250 CloudRuntime, 9999 ServerApi, ...), when sent. */
  readonly csErrorCode: number | undefined;
  readonly errorText: string;
  /** Set when the error is the result of an async job. */
  readonly jobId: string | undefined;

  constructor(init: { command: string; errorCode: number; csErrorCode?: number; errorText: string; jobId?: string }) {
    super(`CloudStack ${init.command} failed (${init.errorCode}): ${init.errorText}`);
    this.name = 'CloudStackApiError';
    this.command = init.command;
    this.errorCode = init.errorCode;
    this.csErrorCode = init.csErrorCode;
    this.errorText = init.errorText;
    this.jobId = init.jobId;
  }

  get isAuthError(): boolean {
    return this.errorCode === 401 || this.errorCode === 411;
  }
}

/** The request never got a CloudStack answer: connection refused, DNS, reset, request timeout. */
export class CloudStackTransportError extends Error {
  readonly command: string;
  constructor(command: string, cause: unknown) {
    super(`CloudStack ${command}: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    this.name = 'CloudStackTransportError';
    this.command = command;
  }
}

/** Something answered, but not as a CloudStack API (an HTML page, a 404, a body that is not the JSON shape). */
export class CloudStackResponseError extends Error {
  readonly command: string;
  readonly httpStatus: number;
  constructor(command: string, httpStatus: number, detail: string) {
    super(`CloudStack ${command}: unexpected response (HTTP ${httpStatus}): ${detail}`);
    this.name = 'CloudStackResponseError';
    this.command = command;
    this.httpStatus = httpStatus;
  }
}

/** An async job still running when our deadline passed. The job may still complete on the server. */
export class CloudStackJobTimeoutError extends Error {
  readonly command: string;
  readonly jobId: string;
  constructor(command: string, jobId: string, waitedMs: number) {
    super(`CloudStack ${command}: job ${jobId} still running after ${waitedMs} ms`);
    this.name = 'CloudStackJobTimeoutError';
    this.command = command;
    this.jobId = jobId;
  }
}

export type CloudStackError =
  CloudStackApiError | CloudStackTransportError | CloudStackResponseError | CloudStackJobTimeoutError;

function isCloudStackError(error: unknown): error is CloudStackError {
  return (
    error instanceof CloudStackApiError ||
    error instanceof CloudStackTransportError ||
    error instanceof CloudStackResponseError ||
    error instanceof CloudStackJobTimeoutError
  );
}

function upstreamCode(error: CloudStackError): ErrorCode {
  if (error instanceof CloudStackTransportError) return 'MKE_UPSTREAM_UNREACHABLE';
  if (error instanceof CloudStackResponseError) return 'MKE_UPSTREAM_BAD_URL';
  if (error instanceof CloudStackJobTimeoutError) return 'MKE_UPSTREAM_TIMEOUT';
  if (error.isAuthError) return 'MKE_CLOUDSTACK_AUTH';
  if (error.errorCode === 429) return 'MKE_RATE_LIMITED';
  // 4xx and the 53x "your request cannot be done" family will fail the same way when repeated.
  if (error.errorCode < 500 || (error.errorCode >= 531 && error.errorCode <= 537)) return 'MKE_UPSTREAM_REJECTED';
  return 'MKE_UPSTREAM_ERROR';
}

/** Maps any CloudStack client error to the catalogue; other errors pass through unchanged. */
export function toMigrateKitError(error: unknown): unknown {
  if (!isCloudStackError(error)) return error;
  const details: Record<string, unknown> = { command: error.command };
  if (error instanceof CloudStackApiError) {
    details.errorcode = error.errorCode;
    if (error.csErrorCode !== undefined) details.cserrorcode = error.csErrorCode;
    if (error.jobId !== undefined) details.jobid = error.jobId;
  }
  if (error instanceof CloudStackJobTimeoutError) details.jobid = error.jobId;
  if (error instanceof CloudStackResponseError) details.httpStatus = error.httpStatus;
  return new MigrateKitError(upstreamCode(error), { message: error.message, details, cause: error });
}
