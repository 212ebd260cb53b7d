import { useQuery } from '@tanstack/react-query';
import { api, rows } from './client';
import type { Agent, ApiToken, Job, User, VmwareCredential } from './types';

// Endpoints the server publishes go through the generated SDK (`api.ops`), so a change of their shape breaks
// the web build; the rest use `http` with the shapes of docs/model.md until their API exists.

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
    queryFn: async (): Promise<User[]> => rows<User>(await api.ops.getUsers()),
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
