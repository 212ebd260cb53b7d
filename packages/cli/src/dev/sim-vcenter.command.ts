// `migratekit sim vcenter`: the vCenter simulator on its own (vim25 SOAP at /sdk over HTTPS, disks with real
// CBT, snapshot disks over NBD), for trying the agent or govc against a vCenter without having one.
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import {
  closeOnSignals,
  loadDevModule,
  nonNegativeInteger,
  simulatorAction,
  simulatorGroup,
} from './simulator-command';

interface SimVcenterOptions {
  port: string;
  host: string;
  data: string;
  inventory?: string;
  username?: string;
  password?: string;
  nbdPort?: string;
  guestWrites?: string;
  shutdownDelay: string;
}

async function run(opts: SimVcenterOptions): Promise<void> {
  const { startVCenterSimulator, validateInventory } = await loadDevModule(
    () => import('@migratekit/sim-vcenter'),
    'The vCenter simulator',
  );
  const inventory = opts.inventory
    ? validateInventory(JSON.parse(await readFile(resolve(opts.inventory), 'utf8')))
    : undefined;
  const writesMs = opts.guestWrites === undefined ? 0 : nonNegativeInteger(opts.guestWrites, '--guest-writes');
  const sim = await startVCenterSimulator({
    dataDir: resolve(opts.data),
    port: nonNegativeInteger(opts.port, '--port'),
    host: opts.host,
    ...(inventory ? { inventory } : {}),
    ...(opts.username ? { username: opts.username } : {}),
    ...(opts.password ? { password: opts.password } : {}),
    ...(opts.nbdPort !== undefined ? { nbd: { port: nonNegativeInteger(opts.nbdPort, '--nbd-port') } } : {}),
    guestShutdownDelayMs: nonNegativeInteger(opts.shutdownDelay, '--shutdown-delay'),
    guestWrites: writesMs > 0 ? { intervalMs: writesMs } : false,
  });
  const lines = [
    `vCenter simulator: ${sim.url}`,
    `  user:       ${sim.username}`,
    `  password:   ${sim.password}`,
    `  SHA-1:      ${sim.thumbprints.sha1}`,
    `  SHA-256:    ${sim.thumbprints.sha256}`,
    `  VMs:        ${sim.engine.vms.length}`,
    ...(sim.nbd ? [`  NBD:        nbd://${sim.nbd.host}:${sim.nbd.port}/<vm id>/<snapshot id>/<disk key>`] : []),
    ...(writesMs > 0 ? [`  guest writes every ${writesMs} ms`] : []),
    `  govc:       GOVC_URL=${sim.url} GOVC_USERNAME='${sim.username}' GOVC_PASSWORD='${sim.password}' GOVC_INSECURE=1 govc ls`,
  ];
  closeOnSignals(() => sim.close());
  // The banner last: whoever waits for it may signal us at once, and the handlers must be in place.
  process.stdout.write(`${lines.join('\n')}\n`);
}

export function registerSimVcenterCommand(program: Command): void {
  simulatorGroup(program)
    .command('vcenter')
    .description('Run the vCenter simulator (vim25 SOAP over HTTPS, real CBT, snapshot disks over NBD)')
    .option('--port <n>', 'HTTPS port', '8989')
    .option('--host <addr>', 'address to listen on', '127.0.0.1')
    .requiredOption('--data <dir>', 'data directory (disks, certificate, state)')
    .option('--inventory <file>', 'inventory JSON (default: the demo estate)')
    .option('--username <user>', 'login user name')
    .option('--password <password>', 'login password')
    .option('--nbd-port <n>', 'also export snapshot disks over NBD on this port')
    .option('--guest-writes <ms>', 'random guest writes every <ms> milliseconds (0: off)')
    .option('--shutdown-delay <ms>', 'guest shutdown duration', '3000')
    .action(simulatorAction(run));
}
