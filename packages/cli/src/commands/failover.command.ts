// `migratekit failover test|live VM [--wait]`, `failover status JOB`, `failover jobs`, `failover resume|compensate
// JOB`: unified failover (docs/failover.md) through the generated SDK. --wait follows the workflow step by step.
// New subcommands (cleanup, rollback) register on the same `failover` command: see registerFailoverCommands.
import type { Command } from 'commander';
import { createClient, type MigrateKitClient } from '@migratekit/sdk';
import { resolveTarget } from '../lib/cli-config';
import { printJson, printTable } from '../lib/output';
import { action, type JsonOption } from '../lib/run-command';

function sdk(): MigrateKitClient {
  const target = resolveTarget();
  return createClient({ baseUrl: target.url, ...(target.token === undefined ? {} : { token: target.token }) });
}

type Status = Awaited<ReturnType<MigrateKitClient['ops']['getFailoverStatus']>>;

interface StartOptions extends JsonOption {
  wait?: boolean;
  keepMac?: boolean;
  finalSync?: boolean;
  shutdownTimeout?: string;
  maxSyncAge?: string;
  serviceOffering?: string;
  template?: string;
  skipConversion?: boolean;
  pollMs?: string;
}

const SETTLED = new Set(['completed', 'failed', 'cleanup_required', 'cancelled', 'rolled_back', 'cleaned_up']);

function seconds(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  const parsed = Number(value);
  if (!Number.isFinite(parsed) || parsed < 0) throw new Error(`${name} must be a number of seconds`);
  return Math.round(parsed * 1000);
}

function optionsOf(type: 'test' | 'live', o: StartOptions) {
  const shutdown = seconds(o.shutdownTimeout, '--shutdown-timeout');
  const maxAge = seconds(o.maxSyncAge, '--max-sync-age');
  return {
    ...(o.keepMac === undefined ? {} : { keep_mac: o.keepMac }),
    ...(type === 'live' && o.finalSync === false ? { final_sync: false } : {}),
    ...(shutdown === undefined ? {} : { shutdown_timeout_ms: shutdown }),
    ...(maxAge === undefined ? {} : { max_sync_age_ms: maxAge }),
    ...(o.serviceOffering === undefined ? {} : { service_offering_id: o.serviceOffering }),
    ...(o.template === undefined ? {} : { template_id: o.template }),
    ...(o.skipConversion === true ? { skip_conversion: true } : {}),
  };
}

/** One line per step state change (plain lines: no progress library is installed). */
function stepLines(status: Status, seen: Map<string, string>): string[] {
  const lines: string[] = [];
  for (const step of status.steps) {
    const key = `${step.kind}:${step.name}`;
    if (seen.get(key) === step.status) continue;
    seen.set(key, step.status);
    const took =
      step.completed_at === null
        ? ''
        : ` (${((Date.parse(step.completed_at) - Date.parse(step.started_at)) / 1000).toFixed(1)} s)`;
    const error = step.error_message === null ? '' : `: ${step.error_message}`;
    lines.push(`  ${step.status.padEnd(9)} ${step.name}${took}${error}`);
  }
  return lines;
}

/** Follows a failover until it settles (or pauses for a decision); prints steps unless --json. */
async function follow(api: MigrateKitClient, jobId: string, json: boolean, pollMs: number): Promise<Status> {
  const seen = new Map<string, string>();
  for (;;) {
    const status = await api.ops.getFailoverStatus({ path: { job_id: jobId } });
    if (!json) for (const line of stepLines(status, seen)) process.stdout.write(`${line}\n`);
    const paused = status.workflow_status === 'paused';
    const running = status.workflow_status === 'running' || status.workflow_status === 'compensating';
    if ((SETTLED.has(status.status) && !running) || paused) return status;
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}

function summary(status: Status): string {
  const why = status.pause_reason ?? status.error_message;
  return `${status.failover_type} failover ${status.job_id}: ${status.status} (workflow ${status.workflow_status ?? 'unknown'})${
    why === null ? '' : ` - ${why}`
  }${status.destination_vm_id === null ? '' : `; target VM ${status.target_vm_name ?? ''} ${status.destination_vm_id}`}`;
}

function registerStart(failover: Command, type: 'test' | 'live'): void {
  const command = failover
    .command(type)
    .description(
      type === 'test'
        ? 'Test failover: a <name>-test-<timestamp> VM on the test networks; the source stays on'
        : 'Live failover: the source is shut down, synced one last time, and runs in CloudStack under its name',
    )
    .argument('<vm>', 'context id, VM name or instance UUID')
    .option('-w, --wait', 'follow the failover step by step until it ends')
    .option('--keep-mac', 'keep the source MAC addresses')
    .option('--no-keep-mac', 'let CloudStack choose MAC addresses')
    .option('--max-sync-age <seconds>', 'refuse when the last sync is older')
    .option('--service-offering <id>', 'CloudStack service offering (default: custom, sized from the source)')
    .option('--template <id>', 'template of the placeholder root disk')
    .option('--skip-conversion', 'do not convert the guest')
    .option('--poll-ms <ms>', 'how often --wait asks', '1000')
    .option('--json', 'machine-readable output');
  if (type === 'live')
    command
      .option('--no-final-sync', 'skip the incremental sync after power-off')
      .option('--shutdown-timeout <seconds>', 'guest shutdown time before a hard power-off');
  command.action(
    action(async (vm: string, options: StartOptions) => {
      const api = sdk();
      const started = await api.ops.startFailover({
        body: { vm_id: vm, failover_type: type, options: optionsOf(type, options) },
      });
      const json = options.json === true;
      if (options.wait !== true) {
        if (json) return printJson(started);
        process.stdout.write(`${type} failover ${started.job_id} started: target VM ${started.target_vm_name}\n`);
        return;
      }
      if (!json) process.stdout.write(`${type} failover ${started.job_id} -> ${started.target_vm_name}\n`);
      const status = await follow(api, started.job_id, json, Number(options.pollMs ?? 1000));
      if (json) printJson(status);
      else process.stdout.write(`${summary(status)}\n`);
      if (status.status !== 'completed') process.exitCode = 1;
    }),
  );
}

export function registerFailoverCommands(program: Command): Command {
  const failover = program.command('failover').description('Test and live failover into CloudStack');
  registerStart(failover, 'test');
  registerStart(failover, 'live');

  failover
    .command('status')
    .description('A failover with every step: state, times, output')
    .argument('<job>', 'failover job id')
    .option('--json', 'machine-readable output')
    .action(
      action(async (job: string, options: JsonOption) => {
        const status = await sdk().ops.getFailoverStatus({ path: { job_id: job } });
        if (options.json === true) return printJson(status);
        process.stdout.write(`${summary(status)}\n`);
        for (const line of stepLines(status, new Map())) process.stdout.write(`${line}\n`);
      }),
    );

  failover
    .command('jobs')
    .description('Failover jobs, newest first')
    .option('--vm <vm>', 'only this VM')
    .option('--type <type>', 'test or live')
    .option('--status <status>', 'only this status')
    .option('--json', 'machine-readable output')
    .action(
      action(async (options: JsonOption & { vm?: string; type?: 'test' | 'live'; status?: string }) => {
        const { items } = await sdk().ops.listFailoverJobs({
          query: {
            ...(options.vm === undefined ? {} : { vm_id: options.vm }),
            ...(options.type === undefined ? {} : { failover_type: options.type }),
            ...(options.status === undefined ? {} : { status: options.status as NonNullable<Status['status']> }),
          },
        });
        if (options.json === true) return printJson(items);
        printTable(items, [
          'job_id',
          'vm_name',
          'failover_type',
          'status',
          'workflow_status',
          'target_vm_name',
          'created_at',
        ]);
      }),
    );

  for (const decision of ['resume', 'compensate'] as const) {
    failover
      .command(decision)
      .description(decision === 'resume' ? 'Run the steps of a paused failover on' : 'Undo what a paused failover did')
      .argument('<job>', 'failover job id')
      .option('--json', 'machine-readable output')
      .action(
        action(async (job: string, options: JsonOption) => {
          const status = await sdk().ops.decideFailover({ path: { job_id: job, decision } });
          if (options.json === true) return printJson(status);
          process.stdout.write(`${summary(status)}\n`);
        }),
      );
  }
  return failover;
}
