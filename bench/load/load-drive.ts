// What the harness asks of the servers, through the API only: discovery, bulk add of every VM to management (no
// replication), and a schedule with one group whose members are the VMs to replicate (initial copy only, so each
// VM is replicated once and the number of jobs is bounded).
import type { LoadApi } from './load-api';
import type { LoadConfig } from './load-config';

const BULK_CHUNK = 500;
/** Each bulk request asks the agent about up to 500 VMs, one after another. */
const BULK_TIMEOUT_MS = 600_000;
const DISCOVER_TIMEOUT_MS = 600_000;

/** The fields of a discovered VM the harness uses. */
export interface DiscoveredVm {
  id: string;
  name: string;
  path: string;
  datacenter: string;
  cpus: number;
  memory_mb: number;
  os_type: string;
  firmware: string;
  power_state: string;
  tools_status: string;
}

async function inParallel<T>(items: readonly T[], workers: number, work: (item: T, worker: number) => Promise<void>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(workers, items.length) }, async (_, worker) => {
      while (next < items.length) {
        const item = items[next++] as T;
        await work(item, worker);
      }
    }),
  );
}

export async function discover(api: LoadApi, credentialId: string): Promise<{ vms: DiscoveredVm[]; ms: number }> {
  const answer = await api.call<{ vms: DiscoveredVm[] }>(
    'POST',
    '/api/v1/discover',
    { credential_id: credentialId },
    DISCOVER_TIMEOUT_MS,
  );
  if (answer.status !== 200) throw new Error(`discovery failed: ${answer.status} ${JSON.stringify(answer.body)}`);
  return { vms: answer.body.vms, ms: answer.ms };
}

/**
 * Adds every VM without replicating, in chunks of 500 spread over `apis` (the servers with an agent: adding asks
 * an agent for the VM), two requests per server at a time. Returns VM name -> context id and the failures.
 */
export async function bulkAdd(
  apis: readonly LoadApi[],
  credentialId: string,
  vms: readonly DiscoveredVm[],
): Promise<{ contexts: Map<string, string>; failures: string[]; ms: number }> {
  const started = Date.now();
  const chunks: DiscoveredVm[][] = [];
  for (let i = 0; i < vms.length; i += BULK_CHUNK) chunks.push(vms.slice(i, i + BULK_CHUNK));
  const contexts = new Map<string, string>();
  const failures: string[] = [];
  await inParallel(chunks, apis.length * 2, async (chunk, worker) => {
    const api = apis[worker % apis.length] as LoadApi;
    const body = { vm_ids: chunk.map((v) => v.id), credential_id: credentialId, start_replication: false };
    const answer = await api.ok<{
      results: Array<{ ok: boolean; vm_id: string; context_id?: string; error?: { code: string; message: string } }>;
    }>('POST', '/api/v1/replications', body, BULK_TIMEOUT_MS);
    for (const result of answer.results) {
      const name = chunk.find((v) => v.id === result.vm_id)?.name;
      if (result.ok && name !== undefined && result.context_id !== undefined) contexts.set(name, result.context_id);
      else failures.push(`${result.error?.code ?? 'unknown'}: ${result.error?.message ?? ''}`);
    }
  });
  return { contexts, failures, ms: Date.now() - started };
}

export interface LoadSchedule {
  scheduleId: string;
  groupId: string;
  contextIds: string[];
}

/** A disabled schedule (every 5 s, initial copies only) driving one group of the VMs to replicate. */
export async function createSchedule(
  api: LoadApi,
  config: LoadConfig,
  contextIds: readonly string[],
): Promise<LoadSchedule> {
  const schedule = await api.ok<{ id: string }>('POST', '/api/v1/schedules', {
    name: 'load-every-5s',
    cron_expression: '*/5 * * * * *',
    enabled: false,
    replication_type: 'initial',
    max_concurrent_jobs: config.maxConcurrentJobs,
    retry_attempts: 0,
    skip_if_running: false,
    catch_up_policy: 'skip',
  });
  const group = await api.ok<{ id: string }>('POST', '/api/v1/machine-groups', {
    name: 'load-group',
    schedule_id: schedule.id,
    max_concurrent_vms: config.maxConcurrentJobs,
  });
  await inParallel(contextIds, 8, async (contextId) => {
    await api.ok('POST', `/api/v1/machine-groups/${group.id}/vms`, { vm_context_id: contextId });
  });
  return { scheduleId: schedule.id, groupId: group.id, contextIds: [...contextIds] };
}

export async function setScheduleEnabled(api: LoadApi, scheduleId: string, enabled: boolean): Promise<void> {
  await api.ok('PATCH', `/api/v1/schedules/${scheduleId}`, { enabled });
}
