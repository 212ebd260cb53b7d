import { useQuery } from '@tanstack/react-query';
import { api } from './client';
import type { Agent, ApiToken, Job, User, VmwareCredential } from './models';

export function useCredentials() {
  return useQuery({
    queryKey: ['credentials'],
    queryFn: async (): Promise<VmwareCredential[]> => (await api.ops.getVmwareCredentials()).items,
  });
}

export function useAgents() {
  return useQuery({
    queryKey: ['agents'],
    queryFn: async (): Promise<Agent[]> => (await api.ops.getAgents()).items,
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
