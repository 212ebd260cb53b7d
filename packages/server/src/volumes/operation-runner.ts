// Every CloudStack change the daemon makes is a volume_operations row: pending when decided, executing while
// CloudStack works, then completed (with the response) or failed (with the reason). A restarted daemon finds
// rows left executing and reconciles them (volume-reconciler.ts).
import { toMigrateKitError } from '@migratekit/cloudstack';
import { errorMessage, isMigrateKitError } from '@migratekit/core';
import type { Repositories, VolumeOperationType } from '@migratekit/db';
import type { VolumeLogger } from './volume.types';

export interface OperationSpec {
  type: VolumeOperationType;
  contextId?: string | null;
  volumeId?: string | null;
  vmId?: string | null;
  request: Record<string, unknown>;
}

export interface OperationHandle {
  readonly id: string;
  /** Records the volume id as soon as CloudStack assigns one (createVolume). */
  readonly setVolumeId: (volumeId: string) => Promise<void>;
}

export interface OperationOutcome<T> {
  result: T;
  response: Record<string, unknown> | null;
}

/** Error details worth keeping next to the reason: the catalogue code and what CloudStack said. */
function failureResponse(error: unknown): Record<string, unknown> {
  const mapped = toMigrateKitError(error);
  if (isMigrateKitError(mapped)) return { code: mapped.code, ...(mapped.details ?? {}) };
  return { code: 'MKE_INTERNAL' };
}

export class OperationRunner {
  constructor(
    private readonly repositories: Repositories,
    private readonly logger: VolumeLogger,
  ) {}

  async run<T>(spec: OperationSpec, work: (op: OperationHandle) => Promise<OperationOutcome<T>>): Promise<T> {
    const operations = this.repositories.volumeOperations;
    const record = await operations.create({
      type: spec.type,
      vm_context_id: spec.contextId ?? null,
      volume_id: spec.volumeId ?? null,
      vm_id: spec.vmId ?? null,
      request: spec.request,
    });
    await operations.markExecuting(record.id);
    const handle: OperationHandle = {
      id: record.id,
      setVolumeId: (volumeId) => operations.setVolumeId(record.id, volumeId),
    };
    let outcome: OperationOutcome<T>;
    try {
      outcome = await work(handle);
    } catch (error) {
      const reason = errorMessage(error);
      try {
        await operations.fail(record.id, reason, failureResponse(error));
      } catch (recordError) {
        // The row stays executing; start-up reconciliation resolves it against CloudStack.
        this.logger.error({ operationId: record.id, err: errorMessage(recordError) }, 'could not record failure');
      }
      this.logger.warn(
        { operationId: record.id, type: spec.type, volumeId: spec.volumeId, reason },
        'volume operation failed',
      );
      throw toMigrateKitError(error);
    }
    await operations.complete(record.id, outcome.response);
    this.logger.info(
      { operationId: record.id, type: spec.type, volumeId: spec.volumeId },
      'volume operation completed',
    );
    return outcome.result;
  }
}
