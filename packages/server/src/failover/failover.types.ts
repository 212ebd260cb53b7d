// The shapes of a failover: what the operator asks for, and the workflow input stored with the job (docs/failover.md).
import type { FailoverType } from '@migratekit/db';

export type { FailoverType };

/** What the operator may choose per failover; every field has a default (preflight config shows them). */
export interface FailoverOptions {
  /** Keep the source NICs' MAC addresses on the target VM (default: test false, live true). */
  keep_mac: boolean;
  /** Live only: an incremental sync after the source is powered off (default true). */
  final_sync: boolean;
  /** Live only: how long the guest may take to shut down before a hard power-off. */
  shutdown_timeout_ms: number;
  /** The longest a last successful sync may be old; null accepts any age. */
  max_sync_age_ms: number | null;
  /** CloudStack service offering; null: the configuration's, else a custom offering sized from the source. */
  service_offering_id: string | null;
  /** Template of the placeholder root disk (replaced by the migrated root); null: configuration's or server VM's. */
  template_id: string | null;
  /** Skip guest conversion (the step is recorded as skipped with this reason). */
  skip_conversion: boolean;
}

export const DEFAULT_SHUTDOWN_TIMEOUT_MS = 5 * 60_000;

export function defaultOptions(type: FailoverType): FailoverOptions {
  return {
    keep_mac: type === 'live',
    final_sync: type === 'live',
    shutdown_timeout_ms: DEFAULT_SHUTDOWN_TIMEOUT_MS,
    max_sync_age_ms: null,
    service_offering_id: null,
    template_id: null,
    skip_conversion: false,
  };
}

/** The workflow input: everything a server that takes the job over needs, as JSON. */
export interface FailoverWorkflowInput {
  failoverJobId: string;
  contextId: string;
  type: FailoverType;
  /** Written to failover_jobs.options.targetVmName before the deploy (the deploy's inspect finds it by name). */
  targetVmName: string;
  options: FailoverOptions;
}

/** What a failover's compensation restores (volume-restore.ts): the context's volumes, this failover's artifacts. */
export function restoreScope(input: FailoverWorkflowInput): { contextId: string; failoverJobIds: string[] } {
  return { contextId: input.contextId, failoverJobIds: [input.failoverJobId] };
}

/** The snapshot name of every volume snapshot of one failover, so it can be found without a recorded id. */
export function failoverSnapshotName(failoverJobId: string): string {
  return `migratekit-failover-${failoverJobId}`;
}

/** `<source>-test-<yyyymmddHHMMss UTC>` for a test failover; the exact source name for a live one. */
export function targetVmNameFor(type: FailoverType, sourceName: string, now: Date): string {
  if (type === 'live') return cloudStackHostName(sourceName);
  const stamp = now.toISOString().replace(/[-:T]/g, '').slice(0, 14);
  return `${cloudStackHostName(sourceName).slice(0, 63 - 20)}-test-${stamp}`;
}

export const WORKFLOW_NAMES: Record<FailoverType, string> = { test: 'test-failover', live: 'live-failover' };
export const FAILOVER_JOB_TYPE = 'failover';

/** CloudStack VM names are host names (letters, digits, hyphens, 63 at most, starting with a letter). */
export function cloudStackHostName(name: string): string {
  const cleaned = name
    .replace(/[^a-zA-Z0-9-]+/g, '-')
    .replace(/^[^a-zA-Z]+/, '')
    .replace(/-+$/, '');
  return (cleaned.length > 0 ? cleaned : 'vm').slice(0, 63).replace(/-+$/, '');
}
