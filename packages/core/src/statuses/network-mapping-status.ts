// network_mappings.validation_status: whether the destination network was checked against CloudStack.
import { defineStatusSet } from './status-set';

export const networkMappingValidationStatuses = defineStatusSet(
  'network mapping validation',
  {
    pending: { kind: 'waiting', next: ['valid', 'invalid'] },
    // A later check (the network was deleted, the mapping edited) may change the verdict.
    valid: { kind: 'succeeded', next: ['invalid', 'pending'] },
    invalid: { kind: 'failed', next: ['valid', 'pending'] },
    // A mapping saved together with its check result starts valid or invalid.
  },
  { initial: ['pending', 'valid', 'invalid'] },
);
export type NetworkMappingValidationStatus = (typeof networkMappingValidationStatuses.values)[number];
