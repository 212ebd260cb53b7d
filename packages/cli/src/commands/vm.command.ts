// `migratekit vm add|list|show|delete`: Add to Management and the managed VMs (contexts).
import type { Command } from 'commander';
import type { ApiClient } from '../lib/api-client';
import { printJson, printTable } from '../lib/output';
import { action, client, type JsonOption } from '../lib/run-command';
import type { DiscoveredVmView } from './discover.command';

interface ContextView {
  context_id: string;
  vm_name: string;
  vmware_vm_id: string;
  current_status: string;
  current_job_id: string | null;
  last_job_at: string | null;
}

/** A VM given as context id, VMware instance UUID or name -> its context id. */
export async function resolveContext(api: ApiClient, vm: string): Promise<string> {
  if (vm.startsWith('ctx-')) return vm;
  const page = await api.request<{ items: ContextView[] }>('GET', '/api/v1/vm-contexts?limit=500');
  const found = page.items.filter((c) => c.vmware_vm_id === vm || c.vm_name === vm);
  if (found.length === 1 && found[0] !== undefined) return found[0].context_id;
  throw new Error(
    found.length === 0 ? `no managed VM "${vm}"` : `"${vm}" names ${found.length} VMs; use the context id`,
  );
}

/** VM names or instance UUIDs -> instance UUIDs, through discovery for names. */
async function resolveVmIds(api: ApiClient, vms: string[], credential: string | undefined): Promise<string[]> {
  const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
  if (vms.every((v) => uuid.test(v))) return vms;
  const { vms: discovered } = await api.request<{ vms: DiscoveredVmView[] }>(
    'POST',
    '/api/v1/discover',
    credential === undefined ? {} : { credential_id: credential },
  );
  return vms.map((v) => {
    if (uuid.test(v)) return v;
    const match = discovered.filter((d) => d.name === v);
    if (match.length !== 1 || match[0] === undefined) throw new Error(`vCenter has ${match.length} VMs named "${v}"`);
    return match[0].id;
  });
}

interface AddOptions extends JsonOption {
  credential?: string;
  start: boolean;
}

export function registerVmCommands(program: Command): void {
  const vm = program.command('vm').description('Managed VMs');

  vm.command('add')
    .description('Add VMs to management (by name or instance UUID) and start their first replication')
    .argument('<vms...>', 'VM names or instance UUIDs')
    .option('-c, --credential <id>', 'VMware credential id')
    .option('--no-start', 'only add (status discovered), do not replicate yet')
    .option('--json', 'machine-readable output')
    .action(
      action(async (vms: string[], options: AddOptions) => {
        const api = client();
        const ids = await resolveVmIds(api, vms, options.credential);
        const result = await api.request<{
          results: Array<{
            vm_id: string;
            ok: boolean;
            context_id?: string;
            job_id?: string | null;
            error?: { message: string };
            existing_context_id?: string | null;
          }>;
        }>('POST', '/api/v1/replications', {
          vm_ids: ids,
          start_replication: options.start,
          ...(options.credential === undefined ? {} : { credential_id: options.credential }),
        });
        if (result.results.some((r) => !r.ok)) process.exitCode = 1;
        if (options.json === true) return printJson(result);
        printTable(
          result.results.map((r, i) => ({
            vm: vms[i],
            result: r.ok ? 'added' : (r.error?.message ?? 'failed'),
            context_id: r.context_id ?? r.existing_context_id,
            job_id: r.job_id,
          })),
          ['vm', 'result', 'context_id', 'job_id'],
        );
      }),
    );

  vm.command('list')
    .description('List managed VMs')
    .option('-s, --status <status>', 'only this status (comma-separated)')
    .option('--json', 'machine-readable output')
    .action(
      action(async (options: JsonOption & { status?: string }) => {
        const query = options.status === undefined ? '' : `&status=${encodeURIComponent(options.status)}`;
        const page = await client().request<{ items: ContextView[]; total: number }>(
          'GET',
          `/api/v1/vm-contexts?limit=500${query}`,
        );
        if (options.json === true) return printJson(page);
        printTable(page.items as unknown as Array<Record<string, unknown>>, [
          'vm_name',
          'context_id',
          'current_status',
          'current_job_id',
          'last_job_at',
        ]);
      }),
    );

  vm.command('show')
    .description('One managed VM: context, disks, NICs, volumes, jobs')
    .argument('<vm>', 'context id, VM name or instance UUID')
    .option('--json', 'machine-readable output')
    .action(
      action(async (name: string, options: JsonOption) => {
        const api = client();
        const detail = await api.request<
          ContextView & {
            disks: Array<Record<string, unknown>>;
            volumes: Array<Record<string, unknown>>;
            jobs: Array<Record<string, unknown>>;
          }
        >('GET', `/api/v1/vm-contexts/${await resolveContext(api, name)}`);
        if (options.json === true) return printJson(detail);
        process.stdout.write(`${detail.vm_name}  ${detail.context_id}  ${detail.current_status}\n\nDisks\n`);
        printTable(detail.disks, [
          'disk_id',
          'capacity_bytes',
          'cloudstack_volume_id',
          'disk_change_id',
          'sync_status',
        ]);
        process.stdout.write('\nJobs\n');
        printTable(detail.jobs, ['id', 'replication_type', 'status', 'total_bytes', 'created_at', 'error_message']);
      }),
    );

  vm.command('delete')
    .description('Delete a managed VM with its CloudStack volumes (refused while a job runs)')
    .argument('<vm>', 'context id, VM name or instance UUID')
    .option('--json', 'machine-readable output')
    .action(
      action(async (name: string, options: JsonOption) => {
        const api = client();
        const contextId = await resolveContext(api, name);
        const result = await api.request<{ volumes_deleted: number }>('DELETE', `/api/v1/vm-contexts/${contextId}`);
        if (options.json === true) return printJson({ context_id: contextId, ...result });
        process.stdout.write(`Deleted ${contextId} (${result.volumes_deleted} volumes)\n`);
      }),
    );
}
