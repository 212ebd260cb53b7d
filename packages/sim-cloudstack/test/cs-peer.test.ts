import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';
import { skipUnlessPeer } from '@migratekit/core';
import { DEFAULT_SEED, DEFAULT_ZONE_ID } from '../src/default-seed';
import { volumeSerial } from '../src/volume-files';
import { API_KEY, SECRET_KEY, startFixture, type SimFixture } from './sim-fixture';

// The real CloudStack client `cs` (Debian python3-cs) drives the simulator: its signing, its parameter
// encoding, its JSON parsing and its job polling must all accept what the simulator does.

const run = promisify(execFile);
// Debian installs the module for the system interpreter; a pyenv python3 earlier in PATH does not see it.
const PYTHON = '/usr/bin/python3';

function hasCs(): boolean {
  try {
    execFileSync(PYTHON, ['-c', 'import cs'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
const available = hasCs();
const skip = skipUnlessPeer('cs (python3-cs)', available);

let fx: SimFixture;
before(async () => {
  if (available) fx = await startFixture();
});
after(async () => {
  if (available) await fx.close();
});

async function cs(args: string[], options: { secret?: string } = {}): Promise<Record<string, unknown>> {
  const { stdout } = await run(PYTHON, ['-m', 'cs', '--quiet', ...args], {
    env: {
      ...process.env,
      CLOUDSTACK_ENDPOINT: fx.sim.url,
      CLOUDSTACK_KEY: API_KEY,
      CLOUDSTACK_SECRET: options.secret ?? SECRET_KEY,
      CLOUDSTACK_POLL_INTERVAL: '0.05',
      CLOUDSTACK_TIMEOUT: '10',
    },
  });
  return JSON.parse(stdout) as Record<string, unknown>;
}

const network = (name: string) => String(DEFAULT_SEED.networks.find((n) => n.name === name)?.id);
const CUSTOM = String(DEFAULT_SEED.diskOfferings.find((o) => o.iscustomized === true)?.id);

test('cs: listZones and listNetworks', { timeout: 120_000, skip }, async () => {
  const zones = await cs(['listZones']);
  assert.deepEqual(
    (zones.zone as { name: string }[]).map((z) => z.name),
    ['Zone-DC1', 'Zone-DC2'],
  );
  const l2 = await cs(['listNetworks', 'type=L2']);
  assert.deepEqual(
    (l2.network as { name: string }[]).map((n) => n.name),
    ['Lab-L2-Test', 'Dev-L2-Bubble'],
  );
  const post = await cs(['--post', 'listNetworks', 'keyword=Prod']);
  assert.deepEqual(
    (post.network as { name: string }[]).map((n) => n.name),
    ['Prod-Web-VLAN100', 'Prod-App-VLAN150', 'Prod-DB-VLAN200', 'Prod-Billing-Isolated', 'Prod-Analytics-Isolated'],
  );
  const deployable = await cs(['listNetworks', `zoneid=${DEFAULT_ZONE_ID}`, 'canusefordeploy=true']);
  const names = (deployable.network as { name: string }[]).map((n) => n.name);
  assert.ok(names.includes('Mgmt-VLAN10'));
  assert.ok(!names.includes('Legacy-VLAN300'), 'an exhausted VLAN is not offered for deployment');
  assert.ok(!names.includes('DC2-Web-VLAN100'), 'a network of another zone is not listed for this zone');
});

test(
  'cs: createVolume and attachVolume wait for their jobs; the by-id link appears',
  { timeout: 120_000, skip },
  async () => {
    const created = await cs([
      'createVolume',
      'name=web disk (1)!',
      `zoneid=${DEFAULT_ZONE_ID}`,
      `diskofferingid=${CUSTOM}`,
      'size=1',
    ]);
    const volume = created.volume as { id: string; name: string; state: string };
    assert.equal(volume.name, 'web disk (1)!');
    assert.equal(volume.state, 'Allocated');
    const attached = await cs(['--post', 'attachVolume', `id=${volume.id}`, `virtualmachineid=${fx.sim.serverVmId}`]);
    assert.equal((attached.volume as { deviceid: number }).deviceid, 1);
    assert.ok(existsSync(join(fx.byIdDir, `virtio-${volumeSerial(volume.id)}`)));
  },
);

test('cs: deployVirtualMachine with iptonetworklist and startvm=false', { timeout: 120_000, skip }, async () => {
  const result = await cs([
    '--post',
    'deployVirtualMachine',
    `zoneid=${DEFAULT_ZONE_ID}`,
    `serviceofferingid=${String(DEFAULT_SEED.serviceOfferings[0]?.id)}`,
    `templateid=${String(DEFAULT_SEED.templates[0]?.id)}`,
    'name=cs-peer-vm',
    'startvm=false',
    `iptonetworklist[0].networkid=${network('Prod-DB-VLAN200')}`,
    'iptonetworklist[0].ip=10.200.0.77',
    'iptonetworklist[0].mac=02:00:00:77:77:77',
    `iptonetworklist[1].networkid=${network('DR-Test-Isolated')}`,
  ]);
  const vm = result.virtualmachine as {
    state: string;
    nic: { networkid: string; ipaddress?: string; macaddress: string }[];
  };
  assert.equal(vm.state, 'Stopped');
  assert.deepEqual(
    vm.nic.map((n) => [n.networkid, n.ipaddress]),
    [
      [network('Prod-DB-VLAN200'), '10.200.0.77'],
      [network('DR-Test-Isolated'), '10.250.0.2'],
    ],
  );
  assert.equal(vm.nic[0]?.macaddress, '02:00:00:77:77:77');
});

test(
  'cs: --async returns the job id; queryAsyncJobResult reports the finished job',
  { timeout: 120_000, skip },
  async () => {
    const submitted = await cs([
      '--async',
      'createVolume',
      `zoneid=${DEFAULT_ZONE_ID}`,
      `diskofferingid=${CUSTOM}`,
      'size=2',
    ]);
    assert.equal(typeof submitted.jobid, 'string');
    assert.equal(typeof submitted.id, 'string');
    await fx.sim.simulator.settle();
    const job = await cs(['queryAsyncJobResult', `jobid=${String(submitted.jobid)}`]);
    assert.equal(job.jobstatus, 1);
    assert.equal(job.jobresultcode, 0);
    assert.equal((job.jobresult as { volume: { id: string } }).volume.id, submitted.id);
  },
);

test('cs: a wrong secret is refused with the 401 body', { timeout: 120_000, skip }, async () => {
  // cs prints the error body it received (and exits 0 when run as a module).
  const body = await cs(['listZones'], { secret: 'not-the-secret' });
  assert.deepEqual(body, {
    listzonesresponse: {
      uuidList: [],
      errorcode: 401,
      errortext: 'unable to verify user credentials and/or request signature',
    },
  });
});

test(
  'cs: reboot and VM snapshots, with camel-case parameter names as a user might type them',
  { timeout: 120_000, skip },
  async () => {
    const deployed = await cs([
      'deployVirtualMachine',
      `zoneId=${DEFAULT_ZONE_ID}`,
      `serviceOfferingId=${String(DEFAULT_SEED.serviceOfferings[0]?.id)}`,
      `templateId=${String(DEFAULT_SEED.templates[0]?.id)}`,
      `networkIds=${network('Prod-App-VLAN150')}`,
      'name=cs-snap-vm',
    ]);
    const vm = deployed.virtualmachine as { id: string; state: string; instancename: string };
    assert.equal(vm.state, 'Running');
    const rebooted = await cs(['rebootVirtualMachine', `id=${vm.id}`]);
    assert.equal((rebooted.virtualmachine as { state: string }).state, 'Running');
    const created = await cs([
      'createVMSnapshot',
      `virtualMachineId=${vm.id}`,
      'snapshotMemory=true',
      'name=pre-cutover',
    ]);
    const snapshot = created.vmsnapshot as { id: string; name: string; displayname: string; type: string };
    assert.deepEqual([snapshot.displayname, snapshot.type], ['pre-cutover', 'DiskAndMemory']);
    assert.match(snapshot.name, new RegExp(`^${vm.instancename}_VS_\\d{14}$`));
    const listed = await cs(['listVMSnapshot', `virtualmachineid=${vm.id}`]);
    assert.deepEqual(
      (listed.vmSnapshot as { id: string }[]).map((s) => s.id),
      [snapshot.id],
    );
    const reverted = await cs(['revertToVMSnapshot', `vmSnapshotId=${snapshot.id}`]);
    assert.equal((reverted.virtualmachine as { state: string }).state, 'Running');
    assert.deepEqual(await cs(['deleteVMSnapshot', `vmsnapshotid=${snapshot.id}`]), { success: true });
    const destroyed = await cs(['destroyVirtualMachine', `id=${vm.id}`, 'expunge=true']);
    assert.equal((destroyed.virtualmachine as { state: string }).state, 'Expunging');
    assert.deepEqual(
      fx.sim.inventory().vms.filter((v) => v.id === vm.id),
      [],
    );
  },
);
