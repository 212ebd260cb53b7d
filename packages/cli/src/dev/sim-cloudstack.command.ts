// `migratekit sim cloudstack`: the CloudStack simulator on its own (signed API at /client/api, volumes as
// sparse files, by-id links for the appliance VM), for trying the server, the CLI or `cs` without a cloud.
import { resolve } from 'node:path';
import type { Command } from 'commander';
import {
  closeOnSignals,
  loadDevModule,
  nonNegativeInteger,
  simulatorAction,
  simulatorGroup,
} from './simulator-command';

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

async function run(opts: SimCloudStackOptions): Promise<void> {
  const { loadSeedFile, startCloudStackSimulator } = await loadDevModule(
    () => import('@migratekit/sim-cloudstack'),
    'The CloudStack simulator',
  );
  const dataDir = resolve(opts.data);
  const byIdDir = resolve(opts.byId ?? resolve(dataDir, 'by-id'));
  const sim = await startCloudStackSimulator({
    port: nonNegativeInteger(opts.port, '--port'),
    host: opts.host,
    apiKey: opts.apiKey,
    secretKey: opts.secretKey,
    dataDir,
    byIdDir,
    jobLatencyMs: nonNegativeInteger(opts.jobLatency, '--job-latency'),
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
  closeOnSignals(() => sim.close());
}

export function registerSimCloudStackCommand(program: Command): void {
  simulatorGroup(program)
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
    .action(simulatorAction(run));
}
