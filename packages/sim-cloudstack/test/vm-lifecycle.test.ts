import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { CloudStackApiError, type CloudStackClient } from '@migratekit/cloudstack';
import { DEFAULT_SEED, DEFAULT_ZONE_ID } from '../src/default-seed';
import { rejection, startFixture, type SimFixture } from './sim-fixture';

const byName = (list: { id?: unknown; name?: unknown }[], name: string): string => {
  const found = list.find((item) => item.name === name);
  if (!found) throw new Error(`seed has no ${name}`);
  return String(found.id);
};
const NET = {
  web: byName(DEFAULT_SEED.networks, 'Prod-Web-VLAN100'),
  db: byName(DEFAULT_SEED.networks, 'Prod-DB-VLAN200'),
  dmz: byName(DEFAULT_SEED.networks, 'DMZ-VLAN253'),
  l2: byName(DEFAULT_SEED.networks, 'Lab-L2-Test'),
};
const OFFERING = byName(DEFAULT_SEED.serviceOfferings, 'Medium Instance');
const TEMPLATE = byName(DEFAULT_SEED.templates, 'MigrateKit Placeholder (KVM)');
const DISK = byName(DEFAULT_SEED.diskOfferings, 'Custom');
const base = { zoneid: DEFAULT_ZONE_ID, serviceofferingid: OFFERING, templateid: TEMPLATE };

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

test(
  'deploy with iptonetworklist and startvm=false: stopped, NICs in order with the IPs and MACs asked',
  { timeout: 120_000 },
  async () => {
    const vm = await client.deployVirtualMachine({
      ...base,
      name: 'pgtest1-test-20260501',
      displayname: 'pgtest1 (test)',
      startvm: false,
      iptonetworklist: [
        { networkid: NET.web, ip: '10.100.0.50', mac: '02:00:00:aa:bb:01' },
        { networkid: NET.l2, mac: '02:00:00:aa:bb:02' },
        { networkid: NET.db },
      ],
    });
    assert.equal(vm.state, 'Stopped');
    assert.equal(vm.name, 'pgtest1-test-20260501');
    assert.equal(vm.displayname, 'pgtest1 (test)');
    assert.equal(vm.cpunumber, 2);
    assert.equal(vm.memory, 4096);
    const nics = vm.nic ?? [];
    assert.deepEqual(
      nics.map((n) => [n.networkid, n.ipaddress, n.macaddress, n.isdefault, n.deviceid]),
      [
        [NET.web, '10.100.0.50', '02:00:00:aa:bb:01', true, '0'],
        [NET.l2, undefined, '02:00:00:aa:bb:02', false, '1'],
        [NET.db, '10.200.0.2', nics[2]?.macaddress, false, '2'],
      ],
    );
    assert.equal(nics[1]?.type, 'L2');
    assert.equal(nics[0]?.networkname, 'Prod-Web-VLAN100');
    const volumes = await client.listVolumes({ virtualmachineid: vm.id });
    assert.equal(volumes.length, 1);
    assert.equal(volumes[0]?.type, 'ROOT');
    assert.equal(volumes[0]?.deviceid, 0);
    assert.match(volumes[0]?.name ?? '', /^ROOT-\d+$/);
    assert.equal((await client.listVirtualMachines({ id: vm.id }))[0]?.state, 'Stopped');

    const taken = apiError(
      await rejection(
        client.deployVirtualMachine({
          ...base,
          name: 'other',
          iptonetworklist: [{ networkid: NET.web, ip: '10.100.0.50' }],
        }),
      ),
    );
    assert.equal(taken.errorCode, 431);
    assert.equal(taken.errorText, 'The IP address 10.100.0.50 is already in use in network Prod-Web-VLAN100');
    const mac = apiError(
      await rejection(
        client.deployVirtualMachine({
          ...base,
          name: 'other',
          iptonetworklist: [{ networkid: NET.web, mac: '02:00:00:aa:bb:01' }],
        }),
      ),
    );
    assert.match(mac.errorText, /MAC address 02:00:00:aa:bb:01 is already in use/);
    const both = apiError(
      await rejection(
        client.deployVirtualMachine({ ...base, networkids: [NET.web], iptonetworklist: [{ networkid: NET.db }] }),
      ),
    );
    assert.equal(both.errorText, "ipToNetworkMap can't be specified along with networkIds or ipAddress");
    const dupName = apiError(
      await rejection(client.deployVirtualMachine({ ...base, name: 'pgtest1-test-20260501', networkids: [NET.web] })),
    );
    assert.match(dupName.errorText, /^The vm with hostName pgtest1-test-20260501 already exists/);
    const badName = apiError(
      await rejection(client.deployVirtualMachine({ ...base, name: 'bad_name', networkids: [NET.web] })),
    );
    assert.match(badName.errorText, /^Invalid name\. Vm name can contain ASCII letters/);

    await client.destroyVirtualMachine({ id: vm.id, expunge: true });
  },
);

test(
  'deploy with networkids: NIC order follows the list, ipaddress/macaddress apply to the default NIC, starts by default',
  { timeout: 120_000 },
  async () => {
    const vm = await client.deployVirtualMachine({
      ...base,
      name: 'web01',
      networkids: [NET.dmz, NET.web],
      ipaddress: '192.168.253.10',
      macaddress: '02:00:00:cc:dd:01',
      diskofferingid: DISK,
      size: 2,
    });
    assert.equal(vm.state, 'Running');
    assert.deepEqual(
      vm.nic?.map((n) => [n.networkid, n.isdefault]),
      [
        [NET.dmz, true],
        [NET.web, false],
      ],
    );
    assert.equal(vm.nic?.[0]?.ipaddress, '192.168.253.10');
    assert.equal(vm.nic?.[0]?.macaddress, '02:00:00:cc:dd:01');
    const volumes = await client.listVolumes({ virtualmachineid: vm.id });
    assert.deepEqual(
      volumes.map((v) => [v.type, v.deviceid, v.size]),
      [
        ['ROOT', 0, 2 * 1024 ** 3],
        ['DATADISK', 1, 2 * 1024 ** 3],
      ],
    );
    assert.equal((await client.listVirtualMachines({ networkid: NET.dmz })).length, 1);

    const stopped = await client.stopVirtualMachine({ id: vm.id, forced: true });
    assert.equal(stopped.state, 'Stopped');
    const destroyed = await client.destroyVirtualMachine({ id: vm.id, expunge: true });
    assert.equal(destroyed.id, vm.id);
    assert.deepEqual(await client.listVirtualMachines({ id: vm.id }), []);
    const left = await client.listVolumes({ id: volumes[1]?.id ?? '' });
    assert.equal(left.length, 1, 'data volumes survive an expunge, detached');
    assert.equal(left[0]?.virtualmachineid, undefined);
    assert.deepEqual(await client.listVolumes({ id: volumes[0]?.id ?? '' }), [], 'the ROOT volume is expunged');
    await client.deleteVolume(volumes[1]?.id ?? '');
  },
);

test(
  'failover shape: replace the ROOT disk of a stopped VM with a migrated volume at device 0, then start',
  { timeout: 120_000 },
  async () => {
    const vm = await client.deployVirtualMachine({ ...base, name: 'app01', startvm: false, networkids: [NET.web] });
    const [templateRoot] = await client.listVolumes({ virtualmachineid: vm.id, type: 'ROOT' });
    assert.ok(templateRoot);
    const migrated = await client.createVolume({
      name: 'app01-disk-2000',
      zoneid: DEFAULT_ZONE_ID,
      diskofferingid: DISK,
      size: 1,
    });
    await client.attachVolume({ id: migrated.id, virtualmachineid: fx.sim.serverVmId });
    await client.detachVolume({ id: migrated.id });

    const occupied = apiError(
      await rejection(client.attachVolume({ id: migrated.id, virtualmachineid: vm.id, deviceid: 0 })),
    );
    assert.equal(occupied.errorText, 'Vm already has root volume attached to it');
    const detachedRoot = await client.detachVolume({ id: templateRoot.id });
    assert.equal(detachedRoot.type, 'DATADISK', 'a detached ROOT volume becomes a DATADISK');
    const noRoot = apiError(await rejection(client.startVirtualMachine(vm.id)));
    assert.equal(noRoot.errorCode, 530);
    assert.match(noRoot.errorText, /no ROOT volume/);

    const asRoot = await client.attachVolume({ id: migrated.id, virtualmachineid: vm.id, deviceid: 0 });
    assert.equal(asRoot.type, 'ROOT');
    assert.equal(asRoot.deviceid, 0);
    const started = await client.startVirtualMachine(vm.id);
    assert.equal(started.state, 'Running');
    const runningDetach = apiError(await rejection(client.detachVolume({ id: migrated.id })));
    assert.equal(
      runningDetach.errorText,
      'Root volume detach can happen only when vm is in states: Stopped or Destroyed',
    );

    await client.stopVirtualMachine({ id: vm.id });
    await client.detachVolume({ id: migrated.id });
    const destroyed = await client.destroyVirtualMachine({ id: vm.id });
    assert.equal(destroyed.state, 'Destroyed');
    assert.equal((await client.listVirtualMachines({ id: vm.id }))[0]?.state, 'Destroyed');
    const again = apiError(await rejection(client.startVirtualMachine(vm.id)));
    assert.equal(again.errorCode, 431);
    await client.destroyVirtualMachine({ id: vm.id, expunge: true });
    for (const id of [migrated.id, templateRoot.id]) await client.deleteVolume(id);
  },
);

test('revertSnapshot works once the VM the volume is attached to is stopped', { timeout: 120_000 }, async () => {
  const vm = await client.deployVirtualMachine({ ...base, name: 'db01', networkids: [NET.db] });
  const volume = await client.createVolume({
    zoneid: DEFAULT_ZONE_ID,
    diskofferingid: DISK,
    size: 1,
    virtualmachineid: vm.id,
  });
  assert.equal(volume.virtualmachineid, vm.id);
  assert.equal(volume.deviceid, 1);
  const snapshot = await client.createSnapshot({ volumeid: volume.id });
  apiError(await rejection(client.revertSnapshot(snapshot.id)));
  await client.stopVirtualMachine({ id: vm.id });
  assert.equal((await client.revertSnapshot(snapshot.id)).id, snapshot.id);
  await client.destroyVirtualMachine({ id: vm.id, expunge: true, volumeids: [volume.id] });
  assert.deepEqual(await client.listVolumes({ id: volume.id }), [], 'volumeids are deleted with the VM');
  await client.deleteSnapshot(snapshot.id);
});

test('a VM takes at most max_data_volumes_limit data disks', { timeout: 120_000 }, async () => {
  const small = await startFixture({ seed: { ...DEFAULT_SEED, limits: { maxDataVolumesLimit: 2 } } });
  try {
    const ids: string[] = [];
    for (let i = 0; i < 3; i++)
      ids.push((await small.client.createVolume({ zoneid: DEFAULT_ZONE_ID, diskofferingid: DISK, size: 1 })).id);
    await small.client.attachVolume({ id: ids[0] ?? '', virtualmachineid: small.sim.serverVmId });
    await small.client.attachVolume({ id: ids[1] ?? '', virtualmachineid: small.sim.serverVmId });
    const full = apiError(
      await rejection(small.client.attachVolume({ id: ids[2] ?? '', virtualmachineid: small.sim.serverVmId })),
    );
    assert.equal(full.errorCode, 431);
    assert.equal(
      full.errorText,
      'The specified VM already has the maximum number of data disks (2) attached. Please specify another VM.',
    );
  } finally {
    await small.close();
  }
});
