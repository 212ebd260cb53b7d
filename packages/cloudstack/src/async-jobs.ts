import { CloudStackApiError, CloudStackJobTimeoutError } from './errors';
import type { ApiObject, CloudStackTransport } from './cloudstack-transport';
import type { AsyncJobResult } from './types';

export interface JobPollOptions {
  /** First wait after submitting; grows by `stepMs` per poll up to `maxIntervalMs` (linear, like cloudstack-go). */
  initialIntervalMs: number;
  stepMs: number;
  maxIntervalMs: number;
  /** Give up waiting after this long (the job itself continues on the server). */
  timeoutMs: number;
}

export const defaultJobPollOptions: JobPollOptions = {
  initialIntervalMs: 1_000,
  stepMs: 1_000,
  maxIntervalMs: 10_000,
  timeoutMs: 15 * 60_000,
};

function toJobResult(object: ApiObject): AsyncJobResult {
  if (typeof object.jobid !== 'string' || typeof object.jobstatus !== 'number')
    throw new Error('queryAsyncJobResult returned no jobid/jobstatus');
  return object as unknown as AsyncJobResult;
}

/**
 * Polls queryAsyncJobResult until the job leaves status 0. Returns `jobresult` on success; a failed or
 * cancelled job throws CloudStackApiError carrying the job's error code and text; the deadline throws
 * CloudStackJobTimeoutError (callers reconcile with the job id later).
 */
export async function waitForJob(
  transport: CloudStackTransport,
  command: string,
  jobId: string,
  options: JobPollOptions,
  signal?: AbortSignal,
): Promise<Record<string, unknown>> {
  const clock = transport.clock;
  const started = clock.now().getTime();
  let interval = options.initialIntervalMs;
  for (;;) {
    const elapsed = clock.now().getTime() - started;
    if (elapsed >= options.timeoutMs) throw new CloudStackJobTimeoutError(command, jobId, elapsed);
    await clock.sleep(Math.min(interval, options.timeoutMs - elapsed), signal);
    interval = Math.min(interval + options.stepMs, options.maxIntervalMs);
    const job = toJobResult(await transport.call('queryAsyncJobResult', { jobid: jobId }, signal));
    if (job.jobstatus === 0) continue;
    const result = job.jobresult ?? {};
    if (job.jobstatus === 1) return result;
    throw new CloudStackApiError({
      command,
      errorCode: typeof result.errorcode === 'number' ? result.errorcode : (job.jobresultcode ?? 530),
      csErrorCode: typeof result.cserrorcode === 'number' ? result.cserrorcode : undefined,
      errorText:
        typeof result.errortext === 'string' ? result.errortext : job.jobstatus === 3 ? 'job cancelled' : 'job failed',
      jobId,
    });
  }
}
