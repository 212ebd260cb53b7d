// Types and queries of the Recovery plans page (docs/recovery-plans.md), through the generated SDK.
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef } from 'react';
import { api } from '../../api/client';
import { useEventStream, useStreamListener } from '../../events/event-stream';

export type RecoveryPlan = Awaited<ReturnType<typeof api.ops.listRecoveryPlans>>[number];
export type PlanRun = Awaited<ReturnType<typeof api.ops.getRecoveryPlanRun>>;

export const PLANS_KEY = ['recovery-plans'] as const;
/** A run in one of these changes by itself: the tracker follows the event stream while one is shown. */
const MOVING = ['running', 'undoing', 'paused'];
/** At most one re-read of the runs per this many ms, however many job events arrive. */
const REFRESH_COALESCE_MS = 500;
/** Only while the event stream is down (proxy, reconnect): re-read moving runs this often instead. */
const FALLBACK_POLL_MS = 5000;

export function usePlans() {
  return useQuery({ queryKey: [...PLANS_KEY, 'list'], queryFn: () => api.ops.listRecoveryPlans({}) });
}

export function useRuns(planId: string | undefined) {
  const { connected } = useEventStream();
  const queryKey = [...PLANS_KEY, 'runs', planId] as const;
  const runs = useQuery({
    queryKey,
    queryFn: () => api.ops.listRecoveryPlanRuns({ path: { id: planId ?? '' }, query: { limit: 10 } }),
    enabled: planId !== undefined,
    refetchInterval: (query) => (!connected && isMoving(query.state.data) ? FALLBACK_POLL_MS : false),
  });
  useRefreshOnJobEvents(queryKey, isMoving(runs.data));
  return runs;
}

function isMoving(runs: PlanRun[] | undefined): boolean {
  return runs?.some((r) => MOVING.includes(r.status)) === true;
}

/**
 * A run is the plan's workflow job and its child failovers: any job or step event may move its tracker, so
 * while a run moves each such event schedules one coalesced re-read (the stream carries no plan-run event).
 */
function useRefreshOnJobEvents(queryKey: readonly unknown[], active: boolean): void {
  const queryClient = useQueryClient();
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const key = JSON.stringify(queryKey);
  useStreamListener((event) => {
    if (!active || (event.type !== 'job.updated' && event.type !== 'job.step')) return;
    timer.current ??= setTimeout(() => {
      timer.current = undefined;
      void queryClient.invalidateQueries({ queryKey: JSON.parse(key) as unknown[] });
    }, REFRESH_COALESCE_MS);
  });
  useEffect(
    () => () => {
      if (timer.current !== undefined) clearTimeout(timer.current);
    },
    [],
  );
}

export function useGroupsAndVms() {
  const groups = useQuery({ queryKey: [...PLANS_KEY, 'groups'], queryFn: () => api.ops.listMachineGroups({}) });
  const vms = useQuery({
    queryKey: [...PLANS_KEY, 'vms'],
    queryFn: () => api.ops.getVmContexts({ query: { limit: 500 } }),
  });
  return { groups: groups.data ?? [], vms: vms.data?.items ?? [] };
}
