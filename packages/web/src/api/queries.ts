import { useQuery } from '@tanstack/react-query';
import { api } from './client';
import type { Agent, ApiToken, Job, SetupStatus, User, VmwareCredential } from './models';

export function useCredentials() {
  return useQuery({
    queryKey: ['credentials'],
    queryFn: async (): Promise<VmwareCredential[]> => (await api.ops.getVmwareCredentials()).items,
  });
}

/** `pollMs`: refetch that often (the setup page waiting for an agent to come online). */
export function useAgents(options: { pollMs?: number; enabled?: boolean } = {}) {
  return useQuery({
    queryKey: ['agents'],
    queryFn: async (): Promise<Agent[]> => (await api.ops.getAgents()).items,
    enabled: options.enabled ?? true,
    ...(options.pollMs === undefined ? {} : { refetchInterval: options.pollMs }),
  });
}

export function useUsers() {
  return useQuery({
    queryKey: ['users'],
    queryFn: async (): Promise<User[]> => (await api.ops.getUsers()).items,
  });
}

export function useApiTokens() {
  return useQuery({
    queryKey: ['api-tokens'],
    queryFn: async (): Promise<ApiToken[]> => (await api.ops.getApiTokens()).items,
  });
}

export function useJobs() {
  return useQuery({
    queryKey: ['jobs'],
    queryFn: async (): Promise<Job[]> => (await api.ops.getJobs({ query: { limit: 200, root_only: true } })).items,
  });
}

/** The first-run checklist (the setup page re-checks it after each change made there). */
export function useSetupStatus(options: { enabled?: boolean } = {}) {
  return useQuery({
    queryKey: ['setup-status'],
    queryFn: (): Promise<SetupStatus> => api.ops.getSetupStatus(),
    enabled: options.enabled ?? true,
  });
}
