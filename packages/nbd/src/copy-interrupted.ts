import { MigrateKitError, isMigrateKitError } from '@migratekit/core';

/** A copy that stopped; `resumeOffset` is where a new run may start (everything below is durable). */
export class CopyInterruptedError extends MigrateKitError {
  constructor(
    readonly resumeOffset: number,
    cause: unknown,
    aborted: boolean,
  ) {
    const code = aborted ? 'MKE_CANCELLED' : isMigrateKitError(cause) ? cause.code : 'MKE_NBD_CONNECTION';
    const reason = cause instanceof Error ? cause.message : String(cause);
    super(code, {
      message: `copy ${aborted ? 'cancelled' : 'failed'} (resume from ${resumeOffset}): ${reason}`,
      cause,
      details: { resumeOffset },
    });
    this.name = 'CopyInterruptedError';
  }
}
