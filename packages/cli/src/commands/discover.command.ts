// `migratekit discover`: the vCenter's VMs through the agent, with concerns and whether each is managed.
import type { Command } from 'commander';
import { printJson, printTable } from '../lib/output';
import { action, client, type JsonOption } from '../lib/run-command';

export interface DiscoveredVmView {
  id: string;
  name: string;
  power_state: string;
  cpus: number;
  memory_mb: number;
  disks: unknown[];
  networks: Array<{ network_name: string }>;
  concerns: Array<{ code: string }>;
  managed: boolean;
  existing_context_id: string | null;
}

interface DiscoverOptions extends JsonOption {
  credential?: string;
  filter?: string;
  datacenter?: string;
}

function discoverBody(options: DiscoverOptions): Record<string, string> {
  return {
    ...(options.credential === undefined ? {} : { credential_id: options.credential }),
    ...(options.filter === undefined ? {} : { filter: options.filter }),
    ...(options.datacenter === undefined ? {} : { datacenter: options.datacenter }),
  };
}

export function registerDiscoverCommand(program: Command): void {
  program
    .command('discover')
    .description('List the VMs of a vCenter (through the agent)')
    .option('-c, --credential <id>', 'VMware credential id (default: the default credential)')
    .option('-f, --filter <pattern>', 'name or path filter (substring or glob)')
    .option('-d, --datacenter <name>', 'datacenter')
    .option('--json', 'machine-readable output')
    .action(
      action(async (options: DiscoverOptions) => {
        const result = await client().request<{ vms: DiscoveredVmView[] }>(
          'POST',
          '/api/v1/discover',
          discoverBody(options),
        );
        if (options.json === true) return printJson(result);
        printTable(
          result.vms.map((vm) => ({
            name: vm.name,
            id: vm.id,
            power: vm.power_state,
            cpus: vm.cpus,
            memory_mb: vm.memory_mb,
            disks: vm.disks.length,
            networks: vm.networks.map((n) => n.network_name).join(', '),
            concerns: vm.concerns.map((c) => c.code).join(', '),
            managed: vm.existing_context_id ?? 'no',
          })),
          ['name', 'id', 'power', 'cpus', 'memory_mb', 'disks', 'networks', 'concerns', 'managed'],
        );
      }),
    );
}
