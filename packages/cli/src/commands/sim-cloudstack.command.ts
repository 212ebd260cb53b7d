// `migratekit sim cloudstack`: the CloudStack simulator on its own (signed API at /client/api, volumes as
// sparse files, by-id links for the appliance VM), for trying the server, the CLI or `cs` without a cloud.
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { loadSeedFile, startCloudStackSimulator } from '@migratekit/sim-cloudstack';

interface SimCloudStackOptions {
  port: string;
  host: string;
  apiKey: string;
  secretKey: string;
  data: string;
  byId?: string;
  seed?: string;
  jobLatency: string;
}

function integer(value: string, name: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new Error(`${name} must be a non-negative integer, got ${value}`);
  return n;
}

async function run(opts: SimCloudStackOptions): Promise<void> {
  const dataDir = resolve(opts.data);
  const byIdDir = resolve(opts.byId ?? resolve(dataDir, 'by-id'));
  const sim = await startCloudStackSimulator({
    port: integer(opts.port, '--port'),
    host: opts.host,
    apiKey: opts.apiKey,
    secretKey: opts.secretKey,
    dataDir,
    byIdDir,
    jobLatencyMs: integer(opts.jobLatency, '--job-latency'),
    ...(opts.seed ? { seed: loadSeedFile(resolve(opts.seed)) } : {}),
  });
  const inventory = sim.inventory();
  const lines = [
    `CloudStack simulator: ${sim.url}`,
    `  operator URL: ${sim.hostPort}`,
    `  API key:      ${opts.apiKey}`,
    `  server VM:    ${sim.serverVmId}`,
    `  by-id links:  ${byIdDir}`,
    `  VMs: ${inventory.vms.length}, volumes: ${inventory.volumes.length}, snapshots: ${inventory.snapshots.length}`,
    `  controls:     http://${sim.hostPort}/_sim/inventory, /_sim/faults, /_sim/latency, /_sim/failure-rate`,
    `  cs:           CLOUDSTACK_ENDPOINT=${sim.url} CLOUDSTACK_KEY=<api key> CLOUDSTACK_SECRET=<secret key> python3 -m cs listZones`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  let stopping = false;
  const stop = (): void => {
    if (stopping) process.exit(130);
    stopping = true;
    sim.close().then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(`shutdown failed: ${error instanceof Error ? error.message : String(error)}\n`);
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

export function registerSimCloudStackCommand(program: Command): void {
  // `sim` is shared with the other simulators: reuse it when another module created it first.
  const sim =
    program.commands.find((c) => c.name() === 'sim') ??
    program.command('sim').description('Run a simulator of an external system');
  sim
    .command('cloudstack')
    .description('Run the CloudStack simulator (signed API at /client/api, file-backed volumes, async jobs)')
    .option('--port <n>', 'HTTP port', '8080')
    .option('--host <addr>', 'address to listen on', '127.0.0.1')
    .requiredOption('--api-key <key>', 'API key clients must sign with')
    .requiredOption('--secret-key <key>', 'secret key for request signatures')
    .requiredOption('--data <dir>', 'data directory (state file, volume and snapshot files)')
    .option('--by-id <dir>', 'where virtio-<serial> links appear (default: <data>/by-id)')
    .option('--seed <file>', 'seed JSON: zones, offerings, templates, networks, server VM (default: demo estate)')
    .option('--job-latency <ms>', 'how long async jobs take', '200')
    .action(async (opts: SimCloudStackOptions) => {
      try {
        await run(opts);
      } catch (error) {
        process.stderr.write(`migratekit: ${error instanceof Error ? error.message : String(error)}\n`);
        process.exit(1);
      }
    });
}
