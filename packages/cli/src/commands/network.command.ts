// `migratekit network list-available|map|status|bulk`: dual network mapping (docs/network-mapping.md) through the
// generated SDK. Networks may be given by CloudStack id or exact name; VMs by context id, VMware UUID or name.
import type { Command } from 'commander';
import { createClient, type MigrateKitClient } from '@migratekit/sdk';
import { resolveTarget } from '../lib/cli-config';
import { printJson, printTable } from '../lib/output';
import { action, type JsonOption } from '../lib/run-command';

function sdk(): MigrateKitClient {
  const target = resolveTarget();
  return createClient({ baseUrl: target.url, ...(target.token === undefined ? {} : { token: target.token }) });
}

/** A CloudStack network id, or the id of the network with exactly this name (the server explains ambiguity). */
async function networkId(api: MigrateKitClient, value: string): Promise<string> {
  const all = await api.ops.listAvailableNetworks({ query: { include_unusable: true } });
  if (all.some((n) => n.id === value)) return value;
  return (await api.ops.resolveNetworkName({ body: { name: value } })).id;
}

async function contextIdOf(api: MigrateKitClient, vm: string): Promise<string> {
  return (await api.ops.getVmNetworkMappingStatus({ path: { vm_id: vm } })).context_id;
}

interface MapOptions extends JsonOption {
  source: string;
  production?: string;
  test?: string;
}

interface BulkOptions extends MapOptions {
  all?: boolean;
  dryRun?: boolean;
}

export function registerNetworkCommands(program: Command): void {
  const network = program.command('network').description('Dual network mapping (production and test)');

  network
    .command('list-available')
    .description('CloudStack networks and what each is suitable for')
    .option('--suitable-for <kind>', 'production or test')
    .option('--include-unusable', 'also networks of other zones or not usable for deployment')
    .option('--json', 'machine-readable output')
    .action(
      action(async (options: JsonOption & { suitableFor?: 'production' | 'test'; includeUnusable?: boolean }) => {
        const networks = await sdk().ops.listAvailableNetworks({
          query: {
            ...(options.suitableFor === undefined ? {} : { suitable_for: options.suitableFor }),
            ...(options.includeUnusable === true ? { include_unusable: true } : {}),
          },
        });
        if (options.json === true) return printJson(networks);
        printTable(
          networks.map((n) => ({ ...n, suitable_for: n.suitable_for.join(',') || n.unsuitable_reason })),
          ['name', 'id', 'type', 'zone_name', 'state', 'suitable_for'],
        );
      }),
    );

  network
    .command('map')
    .description("Map one of a VM's source networks to a production and/or a test network")
    .argument('<vm>', 'context id, VM name or instance UUID')
    .requiredOption('--source <name>', 'the vSphere network name of the NIC')
    .option('--production <network>', 'CloudStack network id or name for live failover')
    .option('--test <network>', 'CloudStack network id or name for test failover')
    .option('--json', 'machine-readable output')
    .action(
      action(async (vm: string, options: MapOptions) => {
        if (options.production === undefined && options.test === undefined)
          throw new Error('give --production, --test or both');
        const api = sdk();
        const mappings = [];
        if (options.production !== undefined)
          mappings.push({
            source_network_name: options.source,
            kind: 'production' as const,
            destination_network_id: await networkId(api, options.production),
          });
        if (options.test !== undefined)
          mappings.push({
            source_network_name: options.source,
            kind: 'test' as const,
            destination_network_id: await networkId(api, options.test),
          });
        const written = await api.ops.setContextNetworkMappings({
          path: { context_id: await contextIdOf(api, vm) },
          body: { mappings },
        });
        if (options.json === true) return printJson(written);
        printTable(written, ['source_network_name', 'kind', 'destination_network_name', 'destination_network_id']);
      }),
    );

  network
    .command('status')
    .description('Mapping status per VM (X of Y configured), or the detail of one VM')
    .argument('[vm]', 'context id, VM name or instance UUID')
    .option('--json', 'machine-readable output')
    .action(
      action(async (vm: string | undefined, options: JsonOption) => {
        const api = sdk();
        if (vm === undefined) {
          const all = await api.ops.listNetworkMappingStatus({});
          if (options.json === true) return printJson(all);
          return printTable(
            all.map((s) => ({ ...s, networks: s.networks.map((n) => n.source_network_name).join(', ') })),
            ['vm_name', 'context_id', 'status', 'summary', 'networks'],
          );
        }
        const status = await api.ops.getVmNetworkMappingStatus({ path: { vm_id: vm } });
        if (options.json === true) return printJson(status);
        process.stdout.write(`${status.vm_name}  ${status.context_id}  ${status.status}  ${status.summary}\n`);
        printTable(
          status.networks.map((n) => ({
            source_network: n.source_network_name,
            nics: n.nic_labels.join(', '),
            production: n.production?.destination_network_name ?? n.production?.destination_network_id ?? null,
            test: n.test?.destination_network_name ?? n.test?.destination_network_id ?? null,
          })),
          ['source_network', 'nics', 'production', 'test'],
        );
      }),
    );

  network
    .command('bulk')
    .description('Map a source network for the given VMs (or --all that have it); --dry-run only previews')
    .argument('[vms...]', 'context ids, VM names or instance UUIDs')
    .requiredOption('--source <name>', 'the vSphere network name')
    .option('--production <network>', 'CloudStack network id or name for live failover')
    .option('--test <network>', 'CloudStack network id or name for test failover')
    .option('--all', 'every managed VM that has the source network')
    .option('--dry-run', 'show what would change, write nothing')
    .option('--json', 'machine-readable output')
    .action(
      action(async (vms: string[], options: BulkOptions) => {
        if ((options.all === true) === vms.length > 0) throw new Error('give VMs or --all (not both)');
        const api = sdk();
        const body = {
          source_network_name: options.source,
          ...(options.production === undefined
            ? {}
            : { production_network_id: await networkId(api, options.production) }),
          ...(options.test === undefined ? {} : { test_network_id: await networkId(api, options.test) }),
          ...(options.all === true ? {} : { context_ids: await Promise.all(vms.map((v) => contextIdOf(api, v))) }),
        };
        const result =
          options.dryRun === true
            ? await api.ops.previewNetworkMappingBulkRule({ body })
            : await api.ops.applyNetworkMappingBulkRule({ body });
        if (options.json === true) return printJson(result);
        printTable(result.changes, ['vm_name', 'kind', 'action', 'from_network_id', 'to_network_name']);
        for (const s of result.skipped) process.stdout.write(`skipped ${s.vm_name ?? s.context_id}: ${s.reason}\n`);
        process.stdout.write(
          `${options.dryRun === true ? 'Would write' : 'Wrote'} ${result.creates} new and ${result.replaces} replaced mappings ` +
            `on ${result.vms_matched} VMs (${result.unchanged} unchanged)\n`,
        );
      }),
    );
}
