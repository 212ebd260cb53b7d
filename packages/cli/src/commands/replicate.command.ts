// `migratekit replicate VM [--wait]`: starts a replication of a managed VM; --wait follows it with a progress bar.
import type { Command } from 'commander';
import { drawProgress, formatBytes, printJson, progressLine } from '../lib/output';
import { action, client, type JsonOption } from '../lib/run-command';
import { resolveContext } from './vm.command';

interface JobView {
  id: string;
  status: string;
  replication_type: string;
  progress_percent: number;
  bytes_transferred: number;
  total_bytes: number | null;
  throughput_current_bps: number | null;
  eta_seconds: number | null;
  current_operation: string | null;
  error_message: string | null;
}

export function registerReplicateCommand(program: Command): void {
  program
    .command('replicate')
    .description('Replicate a managed VM now (full the first time, CBT incremental after)')
    .argument('<vm>', 'context id, VM name or instance UUID')
    .option('-w, --wait', 'follow the job until it ends')
    .option('--json', 'machine-readable output')
    .action(
      action(async (name: string, options: JsonOption & { wait?: boolean }) => {
        const api = client();
        const contextId = await resolveContext(api, name);
        let job = await api.request<JobView>('POST', `/api/v1/vm-contexts/${contextId}/replicate`, {});
        if (options.wait !== true) {
          if (options.json === true) return printJson(job);
          process.stdout.write(`Started ${job.replication_type} replication ${job.id}\n`);
          return;
        }
        while (job.status === 'pending' || job.status === 'replicating') {
          drawProgress(
            progressLine({
              percent: job.progress_percent,
              done: job.bytes_transferred,
              total: job.total_bytes ?? 0,
              bps: job.throughput_current_bps ?? 0,
              eta: job.eta_seconds,
              phase: job.current_operation ?? job.status,
            }),
          );
          await new Promise((resolve) => setTimeout(resolve, 1000));
          job = await api.request<JobView>('GET', `/api/v1/replications/${job.id}`);
        }
        if (process.stdout.isTTY) process.stdout.write('\n');
        if (options.json === true) printJson(job);
        else
          process.stdout.write(
            `${job.id}: ${job.status} (${job.replication_type}, ${formatBytes(job.total_bytes ?? 0)})${job.error_message === null ? '' : `: ${job.error_message}`}\n`,
          );
        if (job.status !== 'completed') process.exitCode = 1;
      }),
    );
}
