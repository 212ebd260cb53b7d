// volume_operations: each create/attach/detach/delete/snapshot/revert the volume daemon performs.
import { defineStatusSet } from './status-set';

export const volumeOperationStatuses = defineStatusSet('volume operation', {
  pending: { kind: 'waiting', next: ['executing', 'failed'] },
  executing: { kind: 'active', next: ['completed', 'failed'] },
  completed: { kind: 'succeeded', next: [] },
  failed: { kind: 'failed', next: [] },
});
export type VolumeOperationStatus = (typeof volumeOperationStatuses.values)[number];
/** An operation in one of these may still change CloudStack: recovery finishes or cleans it up. */
export const UNFINISHED_VOLUME_OPERATION_STATUSES: readonly VolumeOperationStatus[] =
  volumeOperationStatuses.values.filter((s) => !volumeOperationStatuses.isFinal(s));
