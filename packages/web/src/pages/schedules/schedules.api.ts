// Types and queries of the Schedules page (docs/scheduler.md), all through the generated SDK's operations.
import { useQuery } from '@tanstack/react-query';
import { api } from '../../api/client';

export type Schedule = Awaited<ReturnType<typeof api.ops.listSchedules>>[number];
export type MachineGroup = Awaited<ReturnType<typeof api.ops.listMachineGroups>>[number];
export type GroupMember = Awaited<ReturnType<typeof api.ops.listMachineGroupMembers>>[number];
export type ScheduleExecution = Awaited<ReturnType<typeof api.ops.listScheduleExecutions>>['items'][number];

/** Every query of the page starts with this key, so one invalidation refreshes the page after a change. */
export const SCHEDULER_KEY = ['scheduler'] as const;

export function useSchedules() {
  return useQuery({ queryKey: [...SCHEDULER_KEY, 'schedules'], queryFn: () => api.ops.listSchedules({}) });
}

export function useGroups() {
  return useQuery({ queryKey: [...SCHEDULER_KEY, 'groups'], queryFn: () => api.ops.listMachineGroups({}) });
}

export function useMembers(groupId: string | undefined) {
  return useQuery({
    queryKey: [...SCHEDULER_KEY, 'members', groupId],
    queryFn: () => api.ops.listMachineGroupMembers({ path: { id: groupId ?? '' } }),
    enabled: groupId !== undefined,
  });
}

export function useExecutions() {
  return useQuery({
    queryKey: [...SCHEDULER_KEY, 'executions'],
    queryFn: () => api.ops.listScheduleExecutions({ query: { limit: 30 } }),
    // Cron ticks happen without any action here: refresh now and then, the event stream also invalidates.
    refetchInterval: 15_000,
  });
}

export function useManagedVms() {
  return useQuery({
    queryKey: ['vm-contexts', 'for-groups'],
    queryFn: () => api.ops.getVmContexts({ query: { limit: 500 } }),
  });
}
