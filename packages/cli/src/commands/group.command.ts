// `migratekit group list|create|update|delete|members|add|remove|set`: machine groups and their VMs
// (docs/scheduler.md) through the generated SDK. Groups by id or name; VMs by context id or name.
import type { Command } from 'commander';
import type { MigrateKitClient } from '@migratekit/sdk';
import { printJson, printTable } from '../lib/output';
import { addDeleteCommand, addListCommand } from '../lib/resource-commands';
import { action, type JsonOption } from '../lib/run-command';
import { scheduleId, sdk } from './schedule.command';

async function groupId(api: MigrateKitClient, value: string): Promise<string> {
  const all = await api.ops.listMachineGroups({});
  const found = all.find((g) => g.id === value) ?? all.find((g) => g.name === value);
  if (found === undefined) throw new Error(`no machine group "${value}"`);
  return found.id;
}

async function contextId(api: MigrateKitClient, vm: string): Promise<string> {
  if (vm.startsWith('ctx-')) return vm;
  const page = await api.ops.getVmContexts({ query: { search: vm, limit: 500 } });
  const found = page.items.filter((c) => c.vm_name === vm || c.vmware_vm_id === vm);
  if (found.length === 1 && found[0] !== undefined) return found[0].context_id;
  throw new Error(
    found.length === 0 ? `no managed VM "${vm}"` : `"${vm}" names ${found.length} VMs; use the context id`,
  );
}

interface GroupOptions extends JsonOption {
  schedule?: string;
  maxVms?: string;
  priority?: string;
  description?: string;
}

function int(value: string | undefined, option: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n)) throw new Error(`${option} needs a whole number, got "${value}"`);
  return n;
}

async function groupBody(api: MigrateKitClient, options: GroupOptions) {
  const fields = {
    schedule_id:
      options.schedule === undefined
        ? undefined
        : options.schedule === 'none'
          ? null
          : await scheduleId(api, options.schedule),
    max_concurrent_vms: int(options.maxVms, '--max-vms'),
    priority: int(options.priority, '--priority'),
    description: options.description,
  };
  return Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined));
}

const COLUMNS = ['name', 'priority', 'max_concurrent_vms', 'member_count', 'schedule_name', 'id'];

function withGroupOptions(command: Command): Command {
  return command
    .option('--schedule <schedule>', 'schedule id or name ("none" to detach)')
    .option('--max-vms <n>', 'most VMs of the group replicating at once')
    .option('--priority <n>', 'lower runs first')
    .option('--description <text>', 'what the group holds')
    .option('--json', 'machine-readable output');
}

export function registerGroupCommands(program: Command): void {
  const group = program.command('group').description('Machine groups: VMs a schedule drives, by priority');

  addListCommand(
    group,
    'Every machine group with its schedule',
    () => sdk().ops.listMachineGroups({}),
    COLUMNS,
    (g) => g,
  );

  withGroupOptions(group.command('create').argument('<name>', 'unique name')).action(
    action(async (name: string, options: GroupOptions) => {
      const api = sdk();
      const created = await api.ops.createMachineGroup({ body: { name, ...(await groupBody(api, options)) } });
      if (options.json === true) return printJson(created);
      process.stdout.write(`Created group ${created.name} (${created.id})\n`);
    }),
  );

  withGroupOptions(group.command('update').argument('<group>', 'id or name')).action(
    action(async (value: string, options: GroupOptions) => {
      const api = sdk();
      const updated = await api.ops.updateMachineGroup({
        path: { id: await groupId(api, value) },
        body: await groupBody(api, options),
      });
      if (options.json === true) return printJson(updated);
      printTable([updated], COLUMNS);
    }),
  );

  addDeleteCommand(group, 'group', 'group', async (value) => {
    const api = sdk();
    const id = await groupId(api, value);
    await api.ops.deleteMachineGroup({ path: { id } });
    return id;
  });

  group
    .command('members')
    .description('VMs of the group in priority order')
    .argument('<group>', 'id or name')
    .option('--json', 'machine-readable output')
    .action(
      action(async (value: string, options: JsonOption) => {
        const api = sdk();
        const members = await api.ops.listMachineGroupMembers({ path: { id: await groupId(api, value) } });
        if (options.json === true) return printJson(members);
        printTable(members, [
          'vm_name',
          'priority',
          'enabled',
          'current_status',
          'schedule_override_id',
          'vm_context_id',
        ]);
      }),
    );

  group
    .command('add')
    .description('Add VMs to the group')
    .argument('<group>', 'id or name')
    .argument('<vms...>', 'context ids or VM names')
    .option('--priority <n>', 'member priority, lower runs first')
    .option('--disabled', 'add without scheduling them yet')
    .option('--json', 'machine-readable output')
    .action(
      action(async (value: string, vms: string[], options: JsonOption & { priority?: string; disabled?: boolean }) => {
        const api = sdk();
        const id = await groupId(api, value);
        const priority = int(options.priority, '--priority');
        const added = [];
        for (const vm of vms) {
          const body = {
            vm_context_id: await contextId(api, vm),
            ...(priority === undefined ? {} : { priority }),
            ...(options.disabled === true ? { enabled: false } : {}),
          };
          added.push(await api.ops.addMachineGroupMember({ path: { id }, body }));
        }
        if (options.json === true) return printJson(added);
        printTable(added, ['vm_name', 'priority', 'enabled', 'vm_context_id']);
      }),
    );

  group
    .command('remove')
    .argument('<group>', 'id or name')
    .argument('<vms...>', 'context ids or VM names')
    .option('--json', 'machine-readable output')
    .action(
      action(async (value: string, vms: string[], options: JsonOption) => {
        const api = sdk();
        const id = await groupId(api, value);
        const removed: string[] = [];
        for (const vm of vms) {
          const context = await contextId(api, vm);
          await api.ops.removeMachineGroupMember({ path: { id, contextId: context } });
          removed.push(context);
        }
        if (options.json === true) return printJson({ group_id: id, removed });
        process.stdout.write(`Removed ${removed.length} VM(s) from ${value}\n`);
      }),
    );

  group
    .command('set')
    .description('Change one member: priority, enabled, or a schedule override')
    .argument('<group>', 'id or name')
    .argument('<vm>', 'context id or VM name')
    .option('--priority <n>', 'lower runs first')
    .option('--enable', 'schedule this VM')
    .option('--disable', 'stop scheduling this VM (it stays in the group)')
    .option('--schedule-override <schedule>', 'schedule id or name for this VM only ("none" to clear)')
    .option('--json', 'machine-readable output')
    .action(
      action(
        async (
          value: string,
          vm: string,
          options: JsonOption & { priority?: string; enable?: boolean; disable?: boolean; scheduleOverride?: string },
        ) => {
          if (options.enable === true && options.disable === true)
            throw new Error('give --enable or --disable, not both');
          const api = sdk();
          const override = options.scheduleOverride;
          const priority = int(options.priority, '--priority');
          const body = {
            ...(priority === undefined ? {} : { priority }),
            ...(options.enable === true ? { enabled: true } : options.disable === true ? { enabled: false } : {}),
            ...(override === undefined
              ? {}
              : { schedule_override_id: override === 'none' ? null : await scheduleId(api, override) }),
          };
          const member = await api.ops.updateMachineGroupMember({
            path: { id: await groupId(api, value), contextId: await contextId(api, vm) },
            body,
          });
          if (options.json === true) return printJson(member);
          printTable([member], ['vm_name', 'priority', 'enabled', 'schedule_override_id']);
        },
      ),
    );
}
