// Types and queries of the Recovery plans page (docs/recovery-plans.md), through the generated SDK.
import { useQuery } from '@tanstack/react-query';
import { api } from '../../api/client';

export type RecoveryPlan = Awaited<ReturnType<typeof api.ops.listRecoveryPlans>>[number];
export type PlanRun = Awaited<ReturnType<typeof api.ops.getRecoveryPlanRun>>;

export const PLANS_KEY = ['recovery-plans'] as const;
/** A run in one of these changes by itself: the tracker reads it again every second. */
const MOVING = ['running', 'undoing', 'paused'];

export function usePlans() {
  return useQuery({ queryKey: [...PLANS_KEY, 'list'], queryFn: () => api.ops.listRecoveryPlans({}) });
}

export function useRuns(planId: string | undefined) {
  return useQuery({
    queryKey: [...PLANS_KEY, 'runs', planId],
    queryFn: () => api.ops.listRecoveryPlanRuns({ path: { id: planId ?? '' }, query: { limit: 10 } }),
    enabled: planId !== undefined,
    refetchInterval: (query) => (query.state.data?.some((r) => MOVING.includes(r.status)) === true ? 1000 : false),
  });
}

export function useGroupsAndVms() {
  const groups = useQuery({ queryKey: [...PLANS_KEY, 'groups'], queryFn: () => api.ops.listMachineGroups({}) });
  const vms = useQuery({
    queryKey: [...PLANS_KEY, 'vms'],
    queryFn: () => api.ops.getVmContexts({ query: { limit: 500 } }),
  });
  return { groups: groups.data ?? [], vms: vms.data?.items ?? [] };
}
