// The failover, pre-flight, readiness and rollback-decision calls of the dashboard, through the generated SDK.
import { useQuery } from '@tanstack/react-query';
import { api } from '../../api/client';
import type { Result } from '../../api/models';
import type { FailoverType } from './failover-options';

export type PreflightConfig = Result<'getFailoverPreflightConfig'>;
export type PreflightReport = PreflightConfig['preflight'];
/** The options as the modal edits them: the API's names, values of the API's types (it validates them). */
export type FailoverOptionValues = Record<string, unknown>;
type OptionsInput = Partial<PreflightConfig['options']>;

export interface ReadinessItem {
  /** The pre-flight check that blocks (networks, last_sync, volumes, agent, no_active_job, ...). */
  check: string;
  message: string;
}

export interface Readiness {
  test: { ready: boolean; items: ReadinessItem[] };
  live: { ready: boolean; items: ReadinessItem[] };
}

export function fetchPreflightConfig(type: FailoverType, vm: string): Promise<PreflightConfig> {
  return api.ops.getFailoverPreflightConfig({ path: { failover_type: type, vm } });
}

export async function validatePreflight(
  type: FailoverType,
  vm: string,
  options: FailoverOptionValues,
): Promise<PreflightReport> {
  const body = { vm_id: vm, failover_type: type, options: options as OptionsInput };
  return (await api.ops.validateFailover({ body })).preflight;
}

export function startFailover(type: FailoverType, vm: string, options: FailoverOptionValues) {
  return api.ops.startFailover({ body: { vm_id: vm, failover_type: type, options: options } });
}

/** Blocking items arrive as "<check>: <message>". */
function items(blocking: string[]): ReadinessItem[] {
  return blocking.map((b) => {
    const m = /^([a-z_]+): (.*)$/s.exec(b);
    return m ? { check: m[1] ?? '', message: m[2] ?? b } : { check: '', message: b };
  });
}

export async function fetchReadiness(vm: string): Promise<Readiness> {
  const r = await api.ops.getFailoverReadiness({ path: { vm_id: vm } });
  return {
    test: { ready: r.test.ready, items: items(r.test.blocking) },
    live: { ready: r.live.ready, items: items(r.live.blocking) },
  };
}

/** CloudStack service offerings by name, for the pre-flight modal's offering choice. */
export function useServiceOfferings(enabled: boolean) {
  return useQuery({
    queryKey: ['service-offerings'],
    queryFn: () => api.ops.listAvailableServiceOfferings({}),
    enabled,
  });
}
