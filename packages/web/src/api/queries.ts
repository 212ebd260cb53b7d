import { useQuery } from '@tanstack/react-query';
import { http, rows } from './client';
import type { Agent, ApiToken, CloudStackConfig, Job, Page, User, VmwareCredential } from './types';

export function useCredentials() {
  return useQuery({
    queryKey: ['credentials'],
    queryFn: async () =>
      rows<VmwareCredential>(
        await http.request<VmwareCredential[] | Page<VmwareCredential>>('get', '/api/v1/vmware-credentials'),
        'credentials',
      ),
  });
}

export function useCloudStackConfigs() {
  return useQuery({
    queryKey: ['cloudstack-configs'],
    queryFn: async () =>
      rows<CloudStackConfig>(
        await http.request<CloudStackConfig[] | Page<CloudStackConfig>>('get', '/api/v1/ossea/configs'),
        'configs',
      ),
  });
}

export function useAgents() {
  return useQuery({
    queryKey: ['agents'],
    queryFn: async () => rows<Agent>(await http.request<Agent[] | Page<Agent>>('get', '/api/v1/agents'), 'agents'),
  });
}

export function useUsers() {
  return useQuery({
    queryKey: ['users'],
    queryFn: async () => rows<User>(await http.request<User[] | Page<User>>('get', '/api/v1/users'), 'users'),
  });
}

export function useApiTokens() {
  return useQuery({
    queryKey: ['api-tokens'],
    queryFn: async () =>
      rows<ApiToken>(await http.request<ApiToken[] | Page<ApiToken>>('get', '/api/v1/api-tokens'), 'tokens'),
  });
}

export function useJobs() {
  return useQuery({
    queryKey: ['jobs'],
    queryFn: async () =>
      rows<Job>(await http.request<Job[] | Page<Job>>('get', '/api/v1/jobs', { query: { limit: 200 } }), 'jobs'),
  });
}
