// The load run's vCenter simulator as its own process (`node --import tsx bench/load/vcenter-process.ts DIR
// INVENTORY.json`). Besides serving vim25 and the snapshot disks over NBD it prints one line per snapshot taken,
// `LOAD-SNAPSHOT <vm> <snapshot name>`: the agent names each replication's snapshot after its job, so the harness
// counts the copies each job really made, independently of what the servers recorded. It stops when its standard
// input closes (the harness is gone) or on SIGTERM.
import { readFileSync } from 'node:fs';
import { startVCenterSimulator, validateInventory } from '@migratekit/sim-vcenter';

async function main(): Promise<void> {
  const [dataDir, inventoryPath] = process.argv.slice(2);
  if (dataDir === undefined || inventoryPath === undefined)
    throw new Error('usage: vcenter-process.ts DATA_DIR INVENTORY_JSON');
  const inventory = validateInventory(JSON.parse(readFileSync(inventoryPath, 'utf8')));
  const sim = await startVCenterSimulator({
    dataDir,
    host: '127.0.0.1',
    port: 0,
    inventory,
    nbd: { port: 0, host: '127.0.0.1' },
    guestWrites: false,
  });
  sim.engine.snapshotListeners.push({
    created: (snapshot) => process.stdout.write(`LOAD-SNAPSHOT ${snapshot.vm.name} ${snapshot.name}\n`),
    removed: () => Promise.resolve(),
  });
  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    sim.close().then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(`vcenter close failed: ${String(error)}\n`);
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', stop);
  process.stdin.once('end', stop);
  process.stdin.resume();
  const banner = {
    host: sim.host,
    port: sim.port,
    username: sim.username,
    password: sim.password,
    sha256: sim.thumbprints.sha256,
    nbdPort: sim.nbd?.port,
    vms: sim.engine.vms.length,
  };
  process.stdout.write(`LOAD-VCENTER ${JSON.stringify(banner)}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
