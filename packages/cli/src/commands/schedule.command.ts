// `migratekit schedule list|show|create|update|enable|disable|delete|run|executions`: replication schedules
// (docs/scheduler.md) through the generated SDK. A schedule is given by id or exact name.
import type { Command } from 'commander';
import { createClient, type MigrateKitClient } from '@migratekit/sdk';
import { resolveTarget } from '../lib/cli-config';
import { printJson, printTable } from '../lib/output';
import { addDeleteCommand, addListCommand } from '../lib/resource-commands';
import { action, type JsonOption } from '../lib/run-command';

export function sdk(): MigrateKitClient {
  const target = resolveTarget();
  return createClient({ baseUrl: target.url, ...(target.token === undefined ? {} : { token: target.token }) });
}

/** A schedule id, or the id of the schedule with exactly this name. */
export async function scheduleId(api: MigrateKitClient, value: string): Promise<string> {
  const all = await api.ops.listSchedules({});
  const found = all.find((s) => s.id === value) ?? all.find((s) => s.name === value);
  if (found === undefined) throw new Error(`no schedule "${value}"`);
  return found.id;
}

interface ScheduleOptions extends JsonOption {
  cron?: string;
  timezone?: string;
  type?: 'auto' | 'initial' | 'incremental';
  maxJobs?: string;
  retries?: string;
  retryDelay?: string;
  skipIfRunning?: boolean;
  catchUp?: 'skip' | 'run_once';
  targetRpo?: string;
  description?: string;
}

function int(value: string | undefined, option: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n)) throw new Error(`${option} needs a whole number, got "${value}"`);
  return n;
}

function scheduleBody(options: ScheduleOptions) {
  const fields = {
    cron_expression: options.cron,
    timezone: options.timezone,
    replication_type: options.type,
    max_concurrent_jobs: int(options.maxJobs, '--max-jobs'),
    retry_attempts: int(options.retries, '--retries'),
    retry_delay_seconds: int(options.retryDelay, '--retry-delay'),
    skip_if_running: options.skipIfRunning,
    catch_up_policy: options.catchUp,
    target_rpo_seconds: int(options.targetRpo, '--target-rpo'),
    description: options.description,
  };
  return Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined));
}

const COLUMNS = [
  'name',
  'enabled',
  'cron_expression',
  'timezone',
  'replication_type',
  'max_concurrent_jobs',
  'group_count',
  'next_run_at',
];

function withScheduleOptions(command: Command): Command {
  return command
    .option('--timezone <zone>', 'IANA time zone (default UTC)')
    .option('--type <type>', 'auto, initial or incremental')
    .option('--max-jobs <n>', 'most jobs the schedule runs at once')
    .option('--retries <n>', 'retries of a failed job')
    .option('--retry-delay <seconds>', 'wait before a retry')
    .option('--skip-if-running', 'skip a tick while the previous run still has jobs')
    .option('--catch-up <policy>', 'after downtime: skip or run_once')
    .option('--target-rpo <seconds>', 'accepted data loss (default twice the interval)')
    .option('--description <text>', 'what the schedule is for')
    .option('--json', 'machine-readable output');
}

export function registerScheduleCommands(program: Command): void {
  const schedule = program.command('schedule').description('Replication schedules (cron with seconds)');

  addListCommand(
    schedule,
    'Every schedule with its next run',
    () => sdk().ops.listSchedules({}),
    COLUMNS,
    (s) => s,
  );

  schedule
    .command('show')
    .argument('<schedule>', 'id or name')
    .option('--json', 'machine-readable output')
    .action(
      action(async (value: string, options: JsonOption) => {
        const api = sdk();
        const found = await api.ops.getSchedule({ path: { id: await scheduleId(api, value) } });
        if (options.json === true) return printJson(found);
        printTable([found], [...COLUMNS, 'retry_attempts', 'retry_delay', 'catch_up_policy', 'target_rpo_seconds']);
      }),
    );

  withScheduleOptions(
    schedule
      .command('create')
      .description('Create a schedule, e.g. create nightly --cron "0 0 2 * * *" --timezone Europe/Berlin')
      .argument('<name>', 'unique name')
      .requiredOption('--cron <expression>', 'six fields, seconds first'),
  ).action(
    action(async (name: string, options: ScheduleOptions) => {
      const body = { name, cron_expression: options.cron ?? '', ...scheduleBody(options) };
      const created = await sdk().ops.createSchedule({ body });
      if (options.json === true) return printJson(created);
      process.stdout.write(
        `Created schedule ${created.name} (${created.id}), next run ${created.next_run_at ?? '-'}\n`,
      );
    }),
  );

  withScheduleOptions(
    schedule
      .command('update')
      .argument('<schedule>', 'id or name')
      .option('--cron <expression>', 'six fields, seconds first'),
  ).action(
    action(async (value: string, options: ScheduleOptions) => {
      const api = sdk();
      const updated = await api.ops.updateSchedule({
        path: { id: await scheduleId(api, value) },
        body: scheduleBody(options),
      });
      if (options.json === true) return printJson(updated);
      printTable([updated], COLUMNS);
    }),
  );

  for (const enabled of [true, false]) {
    schedule
      .command(enabled ? 'enable' : 'disable')
      .argument('<schedule>', 'id or name')
      .option('--json', 'machine-readable output')
      .action(
        action(async (value: string, options: JsonOption) => {
          const api = sdk();
          const updated = await api.ops.updateSchedule({
            path: { id: await scheduleId(api, value) },
            body: { enabled },
          });
          if (options.json === true) return printJson(updated);
          process.stdout.write(`${updated.name} ${enabled ? 'enabled' : 'disabled'}\n`);
        }),
      );
  }

  addDeleteCommand(schedule, 'schedule', 'schedule', async (value) => {
    const api = sdk();
    const id = await scheduleId(api, value);
    await api.ops.deleteSchedule({ path: { id } });
    return id;
  });

  schedule
    .command('run')
    .description('Run the schedule once now; prints what started and what was skipped, and why')
    .argument('<schedule>', 'id or name')
    .option('--json', 'machine-readable output')
    .action(
      action(async (value: string, options: JsonOption) => {
        const api = sdk();
        const execution = await api.ops.runScheduleNow({ path: { id: await scheduleId(api, value) } });
        if (options.json === true) return printJson(execution);
        process.stdout.write(
          `Execution ${execution.id}: ${execution.jobs_created} started, ${execution.jobs_skipped} skipped (${execution.status})\n`,
        );
        printTable(execution.details ?? [], ['vm_name', 'outcome', 'job_id', 'reason']);
      }),
    );

  schedule
    .command('executions')
    .description('Execution history, newest first')
    .argument('[schedule]', 'id or name (default: every schedule)')
    .option('--limit <n>', 'how many', '20')
    .option('--json', 'machine-readable output')
    .action(
      action(async (value: string | undefined, options: JsonOption & { limit: string }) => {
        const api = sdk();
        const query = {
          limit: int(options.limit, '--limit') ?? 20,
          ...(value === undefined ? {} : { schedule_id: await scheduleId(api, value) }),
        };
        const page = await api.ops.listScheduleExecutions({ query });
        if (options.json === true) return printJson(page.items);
        printTable(page.items, [
          'id',
          'scheduled_at',
          'status',
          'triggered_by',
          'vms_eligible',
          'jobs_created',
          'jobs_skipped',
          'jobs_failed',
          'error',
        ]);
      }),
    );
}
