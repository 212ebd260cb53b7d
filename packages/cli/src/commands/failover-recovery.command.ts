// `migratekit failover cleanup VM` (the failed-execution cleanup) and `migratekit failover rollback VM
// [--test] [--power-on-source] [--keep-target]`: start the workflow, then print each step as it ends (or the final
// job with --json). See docs/failover-recovery.md.
import type { Command } from 'commander';
import { printJson } from '../lib/output';
import { action, client, type JsonOption } from '../lib/run-command';
import type { ApiClient } from '../lib/api-client';

interface StartedRecovery {
  job_id: string;
  external_job_id: string;
  workflow: string;
  failover_job_ids: string[];
}

interface JobDetails {
  id: string;
  status: string;
  progress_percent: number;
  total_steps: number | null;
  error_message: string | null;
  steps: Array<{ name: string; status: string; error_message: string | null }>;
}

interface Decision {
  possible: boolean;
  reason: string | null;
  will: string[];
  loses: string[];
}

const POLL_MS = 500;
const ENDED = new Set(['completed', 'failed', 'compensated', 'cleanup_required', 'cancelled', 'paused']);

/** The `failover` command: the one the failover area registered, or a new one when it is not there yet. */
export function failoverCommand(program: Command): Command {
  return (
    program.commands.find((c) => c.name() === 'failover') ??
    program.command('failover').description('Test and live failover, cleanup and rollback')
  );
}

/** Follows the workflow job, printing every step once it ends; exit code 1 unless it completed. */
async function follow(api: ApiClient, started: StartedRecovery, json: boolean): Promise<void> {
  const printed = new Set<string>();
  let job = await api.request<JobDetails>('GET', `/api/v1/jobs/${started.job_id}`);
  for (;;) {
    if (!json)
      for (const [index, step] of job.steps.entries()) {
        if (printed.has(step.name) || step.status === 'running' || step.status === 'pending') continue;
        printed.add(step.name);
        const total = job.total_steps ?? job.steps.length;
        const error = step.error_message === null ? '' : `: ${step.error_message}`;
        process.stdout.write(`[${index + 1}/${total}] ${step.name}: ${step.status}${error}\n`);
      }
    if (ENDED.has(job.status)) break;
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    job = await api.request<JobDetails>('GET', `/api/v1/jobs/${started.job_id}`);
  }
  if (json) printJson({ ...started, job });
  else
    process.stdout.write(
      `${started.workflow} ${started.external_job_id}: ${job.status}${job.error_message === null ? '' : `: ${job.error_message}`}\n`,
    );
  if (job.status !== 'completed') process.exitCode = 1;
}

export function registerFailoverRecoveryCommands(program: Command): void {
  const failover = failoverCommand(program);
  failover
    .command('cleanup')
    .description('Failed-execution cleanup: put volumes, snapshots and target VMs of a VM back to the clean state')
    .argument('<vm>', 'context id, VM name or instance UUID')
    .option('--power-on-source', 'power the source VMware VM on at the end')
    .option('--json', 'machine-readable output')
    .action(
      action(async (vm: string, options: JsonOption & { powerOnSource?: boolean }) => {
        const api = client();
        const started = await api.request<StartedRecovery>(
          'POST',
          `/api/v1/failover/cleanup/${encodeURIComponent(vm)}`,
          {
            ...(options.powerOnSource === true ? { power_on_source: true } : {}),
          },
        );
        await follow(api, started, options.json === true);
      }),
    );
  failover
    .command('rollback')
    .description('Roll back the latest live failover of a VM (or clean up its latest test failover with --test)')
    .argument('<vm>', 'context id, VM name or instance UUID')
    .option('--test', 'clean up the latest test failover instead of a live one')
    .option('--power-on-source', 'power the source VMware VM on again at the end')
    .option('--keep-target', 'keep the target VM, stopped, for inspection instead of destroying it')
    .option('--json', 'machine-readable output')
    .action(
      action(
        async (vm: string, options: JsonOption & { test?: boolean; powerOnSource?: boolean; keepTarget?: boolean }) => {
          const api = client();
          const type = options.test === true ? 'test' : 'live';
          if (options.json !== true) {
            const decision = await api.request<Decision>(
              'GET',
              `/api/v1/failover/rollback/decision/${type}/${encodeURIComponent(vm)}`,
            );
            if (!decision.possible) throw new Error(decision.reason ?? 'nothing to roll back');
            for (const line of decision.will) process.stdout.write(`will: ${line}\n`);
            for (const line of decision.loses) process.stdout.write(`loses: ${line}\n`);
          }
          const started = await api.request<StartedRecovery>('POST', '/api/v1/failover/rollback', {
            vm_id: vm,
            failover_type: type,
            power_on_source: options.powerOnSource === true,
            keep_target: options.keepTarget === true,
          });
          await follow(api, started, options.json === true);
        },
      ),
    );
}
