import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { skipUnlessPeer } from '@migratekit/core';
import type { VCenterSimulator } from '../src/index';
import { MiB, startTestSimulator } from './fixtures';

// VMware's own CLI (govc, built from Debian's govmomi source) against the simulator: proof that it speaks vim25.

const GOVC = join(process.env.MIGRATEKIT_PEERS_DIR ?? '/var/cache/migratekit-peers', 'bin', 'govc');
const hasGovc = existsSync(GOVC);
const skip = skipUnlessPeer('govc', hasGovc);

let sim: VCenterSimulator;
let cleanup: () => Promise<void>;
let home: string;

interface GovcResult {
  code: number;
  stdout: string;
  stderr: string;
}

function govc(args: string[], env: Record<string, string> = {}): Promise<GovcResult> {
  return new Promise((resolve) => {
    execFile(
      GOVC,
      args,
      {
        env: {
          PATH: process.env.PATH ?? '',
          HOME: home,
          GOVC_URL: sim.url,
          GOVC_USERNAME: sim.username,
          GOVC_PASSWORD: sim.password,
          GOVC_TLS_KNOWN_HOSTS: join(home, 'known_hosts'),
          ...env,
        },
        timeout: 30_000,
      },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

async function ok(args: string[]): Promise<string> {
  const r = await govc(args);
  assert.equal(r.code, 0, `govc ${args.join(' ')} failed: ${r.stderr}`);
  return r.stdout;
}

before(async () => {
  if (skip) return;
  ({ sim, cleanup } = await startTestSimulator());
  home = await mkdtemp(join(tmpdir(), 'govc-home-'));
  // Pin the simulator's certificate by thumbprint instead of turning verification off.
  await writeFile(join(home, 'known_hosts'), `${sim.host}:${sim.port} ${sim.thumbprints.sha1}\n`);
});

after(async () => {
  if (skip) return;
  await cleanup();
  await rm(home, { recursive: true, force: true });
});

test('govc about reports a vCenter 8.0', { timeout: 120_000, skip }, async () => {
  const out = await ok(['about']);
  assert.match(out, /Name:\s+VMware vCenter Server/);
  assert.match(out, /API type:\s+VirtualCenter/);
  assert.match(out, /API version:\s+8\.0\.2\.0/);
});

test('govc ls and find walk the inventory', { timeout: 120_000, skip }, async () => {
  const ls = (await ok(['ls'])).trim().split('\n');
  assert.deepEqual(ls.sort(), ['/DC-Test/datastore', '/DC-Test/host', '/DC-Test/network', '/DC-Test/vm']);
  const vms = (await ok(['find', '.', '-type', 'm'])).trim().split('\n').sort();
  assert.deepEqual(vms, ['/DC-Test/vm/Prod/lin-01', '/DC-Test/vm/win-01']);
  const nets = (await ok(['ls', '/DC-Test/network'])).trim().split('\n').sort();
  assert.deepEqual(nets, [
    '/DC-Test/network/DSwitch-T',
    '/DC-Test/network/Prod-Web-100',
    '/DC-Test/network/VLAN 253 - DMZ',
  ]);
  const hosts = (await ok(['find', '/DC-Test/host', '-type', 'h'])).trim().split('\n').sort();
  assert.deepEqual(hosts, ['/DC-Test/host/Cluster-A/esx-a1.test', '/DC-Test/host/Cluster-A/esx-a2.test']);
});

test('govc vm.info -json decodes the whole VirtualMachine', { timeout: 120_000, skip }, async () => {
  const info = JSON.parse(await ok(['vm.info', '-json', 'lin-01'])) as {
    VirtualMachines: Array<{
      Name: string;
      Config: {
        GuestId: string;
        Firmware: string;
        ChangeTrackingEnabled: boolean;
        Hardware: { Device: Array<Record<string, unknown>> };
      };
      Runtime: { PowerState: string };
      Guest: { ToolsStatus: string; IpAddress: string };
    }>;
  };
  const vm = info.VirtualMachines[0];
  assert.ok(vm);
  assert.equal(vm.Name, 'lin-01');
  assert.equal(vm.Config.GuestId, 'ubuntu64Guest');
  assert.equal(vm.Config.Firmware, 'bios');
  assert.equal(vm.Config.ChangeTrackingEnabled, false);
  assert.equal(vm.Runtime.PowerState, 'poweredOn');
  assert.equal(vm.Guest.ToolsStatus, 'toolsOk');
  assert.equal(vm.Guest.IpAddress, '10.0.0.5');
  const disks = vm.Config.Hardware.Device.filter((d) => d.CapacityInBytes !== undefined);
  assert.deepEqual(
    disks.map((d) => [d.Key, d.CapacityInBytes]),
    [
      [2000, 8 * 1024 * 1024],
      [2001, 4 * 1024 * 1024],
    ],
  );
  const nic = vm.Config.Hardware.Device.find((d) => d.Key === 4000) as { Backing: { Port: { PortgroupKey: string } } };
  assert.match(nic.Backing.Port.PortgroupKey, /^dvportgroup-/);
});

test('govc device.info lists controllers, disks and NICs', { timeout: 120_000, skip }, async () => {
  const out = await ok(['device.info', '-vm', 'lin-01']);
  assert.match(out, /Name:\s+disk-1000-0\n\s+Type:\s+VirtualDisk\n\s+Label:\s+Hard disk 1/);
  assert.match(out, /Name:\s+disk-1001-0/);
  assert.match(out, /Type:\s+VirtualLsiLogicSASController|Type:\s+ParaVirtualSCSIController/);
  assert.match(out, /Type:\s+VirtualE1000e\n\s+Label:\s+Network adapter 2\n\s+Summary:\s+VLAN 253 - DMZ/);
  assert.match(out, /File:\s+\[DS-01\] lin-01\/lin-01_1\.vmdk/);
});

test('govc vm.power -off, -on and -s change the power state', { timeout: 120_000, skip }, async () => {
  const vm = sim.engine.findVm('lin-01');
  assert.ok(vm);
  assert.match(await ok(['vm.power', '-off', 'lin-01']), /Powering off VirtualMachine:vm-\d+\.\.\. OK/);
  assert.equal(vm.powerState, 'poweredOff');
  const again = await govc(['vm.power', '-off', 'lin-01']);
  assert.notEqual(again.code, 0, 'powering off a powered-off VM is an InvalidPowerState');
  assert.match(await ok(['vm.power', '-on', 'lin-01']), /Powering on VirtualMachine:vm-\d+\.\.\. OK/);
  assert.equal(vm.powerState, 'poweredOn');
  assert.match(await ok(['vm.power', '-s', 'lin-01']), /Shutdown guest VirtualMachine:vm-\d+\.\.\. OK/);
  for (let i = 0; i < 200 && vm.powerState === 'poweredOn'; i++) await new Promise((r) => setTimeout(r, 10));
  assert.equal(vm.powerState, 'poweredOff', 'the guest shut down after its delay');
  await ok(['vm.power', '-on', 'lin-01']);
  const boot = vm.bootTime;
  assert.match(await ok(['vm.power', '-r', 'lin-01']), /Reboot guest VirtualMachine:vm-\d+\.\.\. OK/);
  assert.match(await ok(['vm.power', '-reset', 'lin-01']), /Reset VirtualMachine:vm-\d+\.\.\. OK/);
  assert.equal(vm.powerState, 'poweredOn');
  assert.notEqual(vm.bootTime, boot, 'a reboot starts the guest again');
});

test('govc snapshot.create, snapshot.tree and snapshot.remove', { timeout: 120_000, skip }, async () => {
  await ok(['snapshot.create', '-vm', 'lin-01', 'before-migration']);
  await ok(['snapshot.create', '-vm', 'lin-01', '-d', 'second one', 'cbt-2']);
  const tree = await ok(['snapshot.tree', '-vm', 'lin-01']);
  assert.equal(tree, 'before-migration\n  cbt-2\n  .\n');
  const vm = sim.engine.findVm('lin-01');
  assert.equal(vm?.snapshots.length, 2);
  const info = JSON.parse(await ok(['vm.info', '-json', 'lin-01'])) as {
    VirtualMachines: Array<{
      Snapshot: { CurrentSnapshot: { Value: string } };
      Config: { Hardware: { Device: Array<{ CapacityInBytes?: number; Backing?: { FileName: string } }> } };
    }>;
  };
  const decoded = info.VirtualMachines[0];
  assert.equal(decoded?.Snapshot.CurrentSnapshot.Value, vm?.snapshots[1]?.ref.value);
  const files = decoded?.Config.Hardware.Device.filter((d) => d.CapacityInBytes).map((d) => d.Backing?.FileName);
  assert.deepEqual(
    files,
    ['[DS-01] lin-01/lin-01-000002.vmdk', '[DS-01] lin-01/lin-01_1-000002.vmdk'],
    'the VM runs on delta disks',
  );
  await ok(['snapshot.remove', '-vm', 'lin-01', 'before-migration']);
  assert.equal(await ok(['snapshot.tree', '-vm', 'lin-01']), 'cbt-2\n.\n');
  await ok(['snapshot.remove', '-vm', 'lin-01', '*']);
  assert.equal(vm?.snapshots.length, 0);
  assert.equal(await ok(['snapshot.tree', '-vm', 'lin-01']), '');
});

test('govc sees real faults: bad password, unknown object', { timeout: 120_000, skip }, async () => {
  const bad = await govc(['about'], { GOVC_PASSWORD: 'wrong', HOME: join(home, 'no-session') });
  assert.notEqual(bad.code, 0);
  assert.match(bad.stderr, /incorrect user name or password/);
  const missing = await govc(['object.collect', 'VirtualMachine:vm-99999', 'name']);
  assert.notEqual(missing.code, 0);
  assert.match(missing.stderr, /ManagedObjectNotFound|has already been deleted/);
});

test(
  'govc snapshot.revert brings the disks back and restores the snapshot power state',
  { timeout: 120_000, skip },
  async () => {
    const vm = sim.engine.findVm('lin-01');
    assert.ok(vm);
    if (vm.powerState !== 'poweredOn') await ok(['vm.power', '-on', 'lin-01']);
    const before = await sim.readDisk('lin-01', 2000, 3 * MiB, 4096);
    await ok(['snapshot.create', '-vm', 'lin-01', '-m=false', 'no-memory']);
    await sim.writeGuest('lin-01', 2000, 3 * MiB, Buffer.alloc(4096, 0xab));
    await ok(['vm.change', '-vm', 'lin-01', '-c', '4', '-m', '8192']);
    assert.equal(vm.cpus, 4);
    await ok(['snapshot.revert', '-vm', 'lin-01', 'no-memory']);
    assert.deepEqual([vm.cpus, vm.memoryMB], [2, 4096], 'the configuration comes back with the snapshot');
    assert.deepEqual(await sim.readDisk('lin-01', 2000, 3 * MiB, 4096), before, 'the guest write is undone');
    assert.equal(vm.powerState, 'poweredOff', 'a snapshot without memory reverts to powered off');
    await ok(['vm.power', '-on', 'lin-01']);
    await ok(['snapshot.create', '-vm', 'lin-01', 'with-memory']);
    await ok(['vm.power', '-off', 'lin-01']);
    await ok(['snapshot.revert', '-vm', 'lin-01']); // the current snapshot
    assert.equal(vm.powerState, 'poweredOn', 'a memory snapshot of a running VM resumes it running');
    assert.equal(vm.currentSnapshot?.name, 'with-memory');
    await ok(['snapshot.remove', '-vm', 'lin-01', '*']);
    const missing = await govc(['snapshot.revert', '-vm', 'lin-01', 'no-such-snapshot']);
    assert.notEqual(missing.code, 0);
  },
);

test('govc datastore.ls lists the VM folders and their files', { timeout: 120_000, skip }, async () => {
  assert.deepEqual((await ok(['datastore.ls'])).trim().split('\n'), ['lin-01', 'win-01']);
  assert.deepEqual((await ok(['datastore.ls', 'lin-01'])).trim().split('\n'), [
    'lin-01.vmx',
    'lin-01.nvram',
    'vmware.log',
    'lin-01.vmdk',
    'lin-01_1.vmdk',
  ]);
  const long = await ok(['datastore.ls', '-l', 'lin-01/lin-01.vmdk']);
  // The size is what the guest allocated: 2 MiB of seed data, plus blocks earlier tests wrote.
  assert.match(long, /^2\.\dMB\s+.+\s+lin-01\.vmdk\n$/, 'a file path lists that file with its allocated size');
  const tree = await ok(['datastore.ls', '-R', 'win-01']);
  assert.match(tree, /win-01\.vmx\n/);
  const none = await govc(['datastore.ls', 'no-such-vm']);
  assert.notEqual(none.code, 0);
  assert.match(none.stderr, /was not found/);
});

test('govc events shows the power events and tasks of a VM', { timeout: 120_000, skip }, async () => {
  await ok(['vm.power', '-off', 'lin-01']);
  await ok(['vm.power', '-on', 'lin-01']);
  const out = await ok(['events', '-n', '50', 'vm/Prod/lin-01']);
  assert.match(out, /\[info\] lin-01 on esx-a1\.test in DC-Test is powered off\n/);
  assert.match(out, /\[info\] lin-01 on esx-a1\.test in DC-Test is powered on\n/);
  assert.match(out, /\[info\] Task: VirtualMachine\.powerOff \(target=VirtualMachine lin-01\)\n/);
  // No path: the root folder, whose events include the logins.
  assert.match(await ok(['events', '-n', '100']), /\[info\] User admin@test\.local@127\.0\.0\.1 logged in as govc\//);
  // A cluster sees the power events of the VMs on its hosts.
  assert.match(
    await ok(['events', '-l', '/DC-Test/host/Cluster-A']),
    /\[info\] \[VmPoweredOffEvent\] lin-01 on esx-a1\.test/,
  );
  const onlyOn = await ok(['events', '-type', 'VmPoweredOnEvent', 'vm/Prod/lin-01']);
  assert.doesNotMatch(onlyOn, /powered off/);
  // Two objects: govc watches both collectors through a ListView.
  const two = await ok(['events', 'vm/Prod/lin-01', 'vm/win-01']);
  const lin = sim.engine.findVm('lin-01');
  assert.match(two, new RegExp(`==> VirtualMachine:${lin?.ref.value} <==\\n`));
});

test('govc tasks lists the recent tasks with target, user and result', { timeout: 120_000, skip }, async () => {
  const out = await ok(['tasks']);
  const lines = out.trim().split('\n');
  assert.match(lines[0] ?? '', /^Task\s+Target\s+Initiator\s+Queued\s+Started\s+Completed\s+Result$/);
  assert.ok(
    lines.some((l) => /^PowerOffVM\s+lin-01\s+admin@test\.local\s+[\d:]+\s+[\d:]+\s+[\d:]+\s+success \[/.test(l)),
    out,
  );
  assert.ok(
    lines.some((l) => /^SearchDatastore\s+DS-01\s+/.test(l)),
    out,
  );
});

test(
  'govc vm.power -s refuses a powered-off guest, -off and -on report InvalidPowerState twice',
  { timeout: 120_000, skip },
  async () => {
    await ok(['vm.power', '-off', 'lin-01']);
    const shutdown = await govc(['vm.power', '-s', 'lin-01']);
    assert.notEqual(shutdown.code, 0);
    assert.match(shutdown.stderr, /cannot be performed in the current state/);
    const off = await govc(['vm.power', '-off', 'lin-01']);
    assert.match(off.stderr, /cannot be performed in the current state/);
    await ok(['vm.power', '-on', 'lin-01']);
    const on = await govc(['vm.power', '-on', 'lin-01']);
    assert.match(on.stderr, /cannot be performed in the current state/);
  },
);
