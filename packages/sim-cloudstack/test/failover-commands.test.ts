import assert from 'node:assert/strict';
import { open, writeFile } from 'node:fs/promises';
import { after, before, describe, test } from 'node:test';
import { CloudStackApiError, type CloudStackClient } from '@migratekit/cloudstack';
import { DEFAULT_SEED, DEFAULT_ZONE_ID } from '../src/default-seed';
import { rejection, startFixture, type SimFixture } from './sim-fixture';

// What the failover engine drives, through our typed client: custom offerings, reboot, expunge, VM
// snapshots and their interplay with volume snapshots and attach/detach; plus CloudStack's parameter-name
// handling that clients such as libcloud rely on.

const byName = (list: { id?: unknown; name?: unknown }[], name: string): string => {
  const found = list.find((item) => item.name === name);
  if (!found) throw new Error(`seed has no ${name}`);
  return String(found.id);
};
const NET = {
  web: byName(DEFAULT_SEED.networks, 'Prod-Web-VLAN100'),
  legacy: byName(DEFAULT_SEED.networks, 'Legacy-VLAN300'),
  otherZone: byName(DEFAULT_SEED.networks, 'DC2-Web-VLAN100'),
  analytics: byName(DEFAULT_SEED.networks, 'Prod-Analytics-Isolated'),
};
const TEMPLATE = byName(DEFAULT_SEED.templates, 'MigrateKit Placeholder (KVM)');
const FIXED = byName(DEFAULT_SEED.serviceOfferings, 'Small Instance');
const CUSTOM = byName(DEFAULT_SEED.serviceOfferings, 'Custom Instance');
const DISK = byName(DEFAULT_SEED.diskOfferings, 'Custom');
const base = { zoneid: DEFAULT_ZONE_ID, templateid: TEMPLATE, networkids: [NET.web] };

let fx: SimFixture;
let client: CloudStackClient;
before(async () => {
  fx = await startFixture();
  client = fx.client;
});
after(() => fx.close());

function apiError(error: unknown): CloudStackApiError {
  assert.ok(error instanceof CloudStackApiError, `expected CloudStackApiError, got ${String(error)}`);
  return error;
}

async function head(file: string): Promise<string> {
  const handle = await open(file, 'r');
  try {
    const { buffer, bytesRead } = await handle.read(Buffer.alloc(6), 0, 6, 0);
    return buffer.subarray(0, bytesRead).toString('utf8');
  } finally {
    await handle.close();
  }
}

function fileOf(volumeId: string): string {
  const file = fx.sim.inventory().volumes.find((v) => v.id === volumeId)?.file;
  assert.ok(file, `volume ${volumeId} has no file`);
  return file;
}

describe('failover commands', { timeout: 60_000 }, () => {
  test('parameter names in any case: zoneId, diskOfferingId, virtualMachineId (signed as sent)', async () => {
    const vm = await client.deployVirtualMachine({ ...base, serviceofferingid: FIXED, name: 'case-vm' });
    const created = await client.runAsync<{ id: string; name: string }>(
      'createVolume',
      { name: 'case-disk', zoneId: DEFAULT_ZONE_ID, diskOfferingId: DISK, size: 1 },
      'volume',
    );
    assert.equal(created.name, 'case-disk');
    const attached = await client.runAsync<{ virtualmachineid: string }>(
      'attachVolume',
      { id: created.id, virtualMachineId: vm.id },
      'volume',
    );
    assert.equal(attached.virtualmachineid, vm.id);
    const missing = apiError(await rejection(client.call('attachVolume', { ID: created.id })));
    assert.equal(
      missing.errorText,
      'Unable to execute API command attachvolume due to missing parameter virtualmachineid',
    );
    await client.detachVolume({ id: created.id });
    await client.deleteVolume(created.id);
    await client.destroyVirtualMachine({ id: vm.id, expunge: true });
  });

  test('a custom offering takes details[0].cpuNumber and details[0].memory; a fixed one keeps its own', async () => {
    const vm = await client.deployVirtualMachine({
      ...base,
      serviceofferingid: CUSTOM,
      name: 'custom-vm',
      startvm: false,
      details: { cpuNumber: 6, memory: 12288 },
    });
    assert.deepEqual([vm.cpunumber, vm.memory, vm.state], [6, 12288, 'Stopped']);
    const none = apiError(await rejection(client.deployVirtualMachine({ ...base, serviceofferingid: CUSTOM })));
    assert.equal(
      none.errorText,
      'Need to specify custom parameter values cpu, cpu speed and memory when using custom offering',
    );
    const noMemory = apiError(
      await rejection(client.deployVirtualMachine({ ...base, serviceofferingid: CUSTOM, details: { cpuNumber: 2 } })),
    );
    assert.equal(noMemory.errorText, 'Invalid memory value, specify a value between 32 and 2147483647');
    const lowercase = apiError(
      await rejection(
        client.deployVirtualMachine({ ...base, serviceofferingid: CUSTOM, details: { cpunumber: 2, memory: 2048 } }),
      ),
    );
    assert.match(lowercase.errorText, /^Invalid cpu cores value/, 'detail keys are case-sensitive (cpuNumber)');
    const fixed = await client.deployVirtualMachine({ ...base, serviceofferingid: FIXED, name: 'fixed-vm' });
    assert.deepEqual([fixed.cpunumber, fixed.memory, fixed.state], [1, 1024, 'Running']);
    for (const id of [vm.id, fixed.id]) await client.destroyVirtualMachine({ id, expunge: true });
  });

  test('an Allocated Isolated network is implemented (VLAN assigned) when a VM on it starts', async () => {
    const network = async () => (await client.listNetworks({ id: NET.analytics }))[0];
    assert.deepEqual([(await network())?.state, (await network())?.vlan], ['Allocated', undefined]);
    const vm = await client.deployVirtualMachine({
      ...base,
      serviceofferingid: FIXED,
      name: 'analytics-01',
      networkids: [NET.analytics],
      startvm: false,
    });
    assert.equal(vm.nic?.[0]?.ipaddress, '10.220.0.2');
    assert.equal((await network())?.state, 'Allocated', 'a stopped VM does not implement its network');
    await client.startVirtualMachine(vm.id);
    const implemented = await network();
    assert.deepEqual(
      [implemented?.state, implemented?.vlan, implemented?.broadcasturi],
      ['Implemented', '1000', 'vlan://1000'],
    );
    await client.destroyVirtualMachine({ id: vm.id, expunge: true });
  });

  test('networks of another zone or not usable for deployment are refused', async () => {
    const other = apiError(
      await rejection(client.deployVirtualMachine({ ...base, serviceofferingid: FIXED, networkids: [NET.otherZone] })),
    );
    assert.equal(other.errorText, "Network DC2-Web-VLAN100 doesn't belong to zone Zone-DC1");
    const legacy = apiError(
      await rejection(client.deployVirtualMachine({ ...base, serviceofferingid: FIXED, networkids: [NET.legacy] })),
    );
    assert.equal(legacy.errorText, "Network Legacy-VLAN300 can't be used for VM deployment");
  });

  test('reboot needs a running VM; forced stop; expunge removes VM and ROOT and detaches DATA volumes', async () => {
    const vm = await client.deployVirtualMachine({ ...base, serviceofferingid: FIXED, name: 'reboot-vm' });
    assert.equal((await client.rebootVirtualMachine(vm.id)).state, 'Running');
    assert.equal((await client.stopVirtualMachine({ id: vm.id, forced: true })).state, 'Stopped');
    const stopped = apiError(await rejection(client.rebootVirtualMachine(vm.id)));
    assert.deepEqual([stopped.errorCode, stopped.errorText], [530, 'Failed to reboot vm instance']);
    const data = await client.createVolume({ zoneid: DEFAULT_ZONE_ID, diskofferingid: DISK, size: 1 });
    await client.attachVolume({ id: data.id, virtualmachineid: vm.id });
    const [root] = await client.listVolumes({ virtualmachineid: vm.id, type: 'ROOT' });
    assert.ok(root);
    await client.destroyVirtualMachine({ id: vm.id, expunge: true });
    assert.deepEqual(await client.listVirtualMachines({ id: vm.id }), []);
    assert.deepEqual(await client.listVolumes({ id: root.id }), []);
    const [kept] = await client.listVolumes({ id: data.id });
    assert.deepEqual([kept?.state, kept?.virtualmachineid], ['Ready', undefined]);
    await client.deleteVolume(data.id);
  });

  test('volume snapshots are named <instance name>_<volume>_<timestamp>; "detached" without a VM', async () => {
    const vm = await client.deployVirtualMachine({ ...base, serviceofferingid: FIXED, name: 'snapname-vm' });
    const [root] = await client.listVolumes({ virtualmachineid: vm.id, type: 'ROOT' });
    assert.ok(root);
    const snapshot = await client.createSnapshot({ volumeid: root.id });
    assert.match(snapshot.name ?? '', new RegExp(`^${vm.instancename ?? '?'}_${root.name}_\\d{14}$`));
    await client.deleteSnapshot(snapshot.id);
    const loose = await client.createVolume({ zoneid: DEFAULT_ZONE_ID, diskofferingid: DISK, size: 1 });
    await client.attachVolume({ id: loose.id, virtualmachineid: vm.id });
    await client.detachVolume({ id: loose.id });
    const detached = await client.createSnapshot({ volumeid: loose.id });
    assert.match(detached.name ?? '', new RegExp(`^detached_${loose.name}_\\d{14}$`));
    await client.deleteSnapshot(detached.id);
    await client.deleteVolume(loose.id);
    await client.destroyVirtualMachine({ id: vm.id, expunge: true });
  });

  test('VM snapshots: revert restores the disks; they block attach, detach and volume snapshot reverts', async () => {
    const vm = await client.deployVirtualMachine({ ...base, serviceofferingid: FIXED, name: 'vmsnap-vm' });
    const [root] = await client.listVolumes({ virtualmachineid: vm.id, type: 'ROOT' });
    assert.ok(root);
    const rootFile = fileOf(root.id);
    await writeFile(rootFile, 'before', { flag: 'r+' });
    const disk = await client.createVMSnapshot({ virtualmachineid: vm.id, name: 'pre-failover' });
    assert.deepEqual([disk.type, disk.state, disk.current, disk.displayname], ['Disk', 'Ready', true, 'pre-failover']);
    assert.match(disk.name, new RegExp(`^${vm.instancename ?? '?'}_VS_\\d{14}$`));
    const memory = await client.createVMSnapshot({ virtualmachineid: vm.id, snapshotmemory: true });
    assert.deepEqual([memory.type, memory.parent, memory.parentName], ['DiskAndMemory', disk.id, 'pre-failover']);
    const listed = await client.listVMSnapshots({ virtualmachineid: vm.id });
    assert.deepEqual(
      listed.map((s) => [s.id, s.current]),
      [
        [disk.id, false],
        [memory.id, true],
      ],
    );

    const running = apiError(await rejection(client.revertToVMSnapshot(disk.id)));
    assert.match(running.errorText, /^VM Snapshot revert not allowed\. This will result in VM state change/);
    const loose = await client.createVolume({ zoneid: DEFAULT_ZONE_ID, diskofferingid: DISK, size: 1 });
    const attach = apiError(await rejection(client.attachVolume({ id: loose.id, virtualmachineid: vm.id })));
    assert.equal(attach.errorText, 'Unable to attach volume, please specify a VM that does not have VM snapshots');

    await writeFile(rootFile, 'after!', { flag: 'r+' });
    await client.stopVirtualMachine({ id: vm.id });
    const stoppedWithMemory = apiError(await rejection(client.revertToVMSnapshot(memory.id)));
    assert.equal(stoppedWithMemory.errorCode, 431);
    const volumeSnapshot = await client.createSnapshot({ volumeid: root.id });
    const blocked = apiError(await rejection(client.revertSnapshot(volumeSnapshot.id)));
    assert.equal(
      blocked.errorText,
      'Unable to revert snapshot for VM, please remove VM snapshots before reverting VM from snapshot',
    );
    const reverted = await client.revertToVMSnapshot(disk.id);
    assert.equal(reverted.state, 'Stopped');
    assert.equal(await head(rootFile), 'before');
    assert.equal((await client.listVMSnapshots({ vmsnapshotid: disk.id }))[0]?.current, true);

    await client.deleteVMSnapshot(disk.id);
    const [orphan] = await client.listVMSnapshots({ vmsnapshotid: memory.id });
    assert.equal(orphan?.parent, undefined, 'children move up to the deleted snapshot parent');
    await client.deleteVMSnapshot(memory.id);
    assert.deepEqual(await client.listVMSnapshots({ virtualmachineid: vm.id }), []);
    assert.equal((await client.revertSnapshot(volumeSnapshot.id)).id, volumeSnapshot.id);
    await client.deleteSnapshot(volumeSnapshot.id);
    await client.deleteVolume(loose.id);
    await client.destroyVirtualMachine({ id: vm.id, expunge: true });
  });

  test('expunging a VM deletes its VM snapshots; a stopped VM cannot snapshot memory', async () => {
    const vm = await client.deployVirtualMachine({ ...base, serviceofferingid: FIXED, name: 'expunge-vmsnap' });
    await client.createVMSnapshot({ virtualmachineid: vm.id });
    await client.stopVirtualMachine({ id: vm.id });
    const memory = apiError(
      await rejection(client.createVMSnapshot({ virtualmachineid: vm.id, snapshotmemory: true })),
    );
    assert.equal(memory.errorText, 'Can not snapshot memory when VM is not in Running state');
    await client.destroyVirtualMachine({ id: vm.id, expunge: true });
    assert.deepEqual(
      (await client.listVMSnapshots()).filter((s) => s.virtualmachineid === vm.id),
      [],
    );
  });

  test('public IPs and NAT rules answer as empty lists; unknown ids are invalid values', async () => {
    for (const [command, key] of [
      ['listPublicIpAddresses', 'publicipaddress'],
      ['listPortForwardingRules', 'portforwardingrule'],
      ['listIpForwardingRules', 'ipforwardingrule'],
    ] as const) {
      assert.deepEqual(await client.list(command, key, { listall: true }), [], command);
      const bad = apiError(await rejection(client.call(command, { id: '00000000-0000-4000-8000-000000000000' })));
      assert.equal(bad.errorCode, 431, command);
    }
  });

  test('fault injection covers the new commands: calls and jobs', async () => {
    const vm = await client.deployVirtualMachine({ ...base, serviceofferingid: FIXED, name: 'fault-vm' });
    fx.sim.controls.failNext('rebootVirtualMachine', 1, { errorcode: 530, errortext: 'injected reboot' });
    assert.equal(apiError(await rejection(client.rebootVirtualMachine(vm.id))).errorText, 'injected reboot');
    fx.sim.controls.failJobs('createVMSnapshot', 1, { errortext: 'injected snapshot job' });
    const job = apiError(await rejection(client.createVMSnapshot({ virtualmachineid: vm.id })));
    assert.equal(job.errorText, 'injected snapshot job');
    assert.deepEqual(await client.listVMSnapshots({ virtualmachineid: vm.id }), [], 'a failed job leaves nothing');
    fx.sim.controls.failNext('listPublicIpAddresses', 1, { errorcode: 530 });
    assert.equal(apiError(await rejection(client.call('listPublicIpAddresses'))).errorCode, 530);
    await client.destroyVirtualMachine({ id: vm.id, expunge: true });
  });
});
