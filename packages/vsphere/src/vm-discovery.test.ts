// Discovery against a recorded vCenter estate: one batched, paged retrieval; the discovery VM JSON; concerns.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  BASE_HANDLERS,
  FakeTransport,
  objectContent,
  type RecordedCall,
  requestedObject,
  retrieveResult,
  soapResponse,
} from '../test/fake-transport';
import { INVENTORY_OBJECTS, SQL_VM } from '../test/vcenter-fixture';
import { child, childrenNamed, textOf } from '@migratekit/node-common';
import { matchesFilter } from './vm-discovery';
import { VsphereClient } from './vsphere-client';

function estate(pageSize = 5, vms: string[] = [SQL_VM]): FakeTransport {
  let views = 0;
  const pages = new Map<string, string[][]>();
  const paged = (objects: string[]): string[][] => {
    const out: string[][] = [];
    for (let i = 0; i < objects.length; i += pageSize) out.push(objects.slice(i, i + pageSize));
    return out;
  };
  const answer = (key: string, index: number): string => {
    const all = pages.get(key) ?? [];
    const token = index + 1 < all.length ? `${key}#${index + 1}` : undefined;
    return soapResponse('RetrievePropertiesEx', retrieveResult(all[index] ?? [], token));
  };
  return new FakeTransport({
    ...BASE_HANDLERS,
    CreateContainerView: (call: RecordedCall) => {
      const types = childrenNamed(call.body, 'type').map((t) => t.text);
      const view = `session[52a1]view-${++views}`;
      pages.set(view, paged(types.includes('VirtualMachine') ? vms : INVENTORY_OBJECTS));
      return soapResponse('CreateContainerView', `<returnval type="ContainerView">${view}</returnval>`);
    },
    RetrievePropertiesEx: (call) => answer(requestedObject(call)?.value ?? '', 0),
    ContinueRetrievePropertiesEx: (call) => {
      const [key, index] = (textOf(call.body, 'token') ?? '').split('#');
      return answer(key ?? '', Number(index)).replace(
        /RetrievePropertiesExResponse/g,
        'ContinueRetrievePropertiesExResponse',
      );
    },
    DestroyView: () => soapResponse('DestroyView', ''),
  });
}

test(
  'discovery produces the VM JSON with real network names from standard and distributed port groups',
  { timeout: 120_000 },
  async () => {
    const transport = estate();
    const client = await VsphereClient.connect({ host: 'vcenter.test', username: 'u', password: 'p', transport });
    const vms = await client.discoverVms();
    assert.deepEqual(vms, [
      {
        id: '5029c5a1-8f2b-4d6e-9a7c-3e1f0b2d4c6a',
        name: 'sql-01',
        path: '/Frankfurt/vm/Production/sql-01',
        datacenter: 'Frankfurt',
        power_state: 'poweredOn',
        cpus: 8,
        memory_mb: 32768,
        os_type: 'Microsoft Windows Server 2022 (64-bit)',
        guest_id: 'windows2019srvNext_64Guest',
        firmware: 'efi',
        tools_status: 'toolsOk',
        cbt_enabled: true,
        has_snapshots: true,
        disks: [
          {
            id: 'disk-2000',
            label: 'Hard disk 1',
            capacity_bytes: 85899345920,
            datastore: 'vsanDatastore',
            vmdk_path: '[vsanDatastore] 1a2b/sql-01.vmdk',
            provisioning: 'thick',
            controller: 'SCSI controller 0',
            unit_number: 0,
          },
          {
            id: 'disk-2001',
            label: 'Hard disk 2',
            capacity_bytes: 10737418240,
            datastore: 'vsanDatastore',
            vmdk_path: '[vsanDatastore] 1a2b/sql-01_1.vmdk',
            provisioning: 'thin',
            controller: 'SCSI controller 0',
            unit_number: 1,
          },
          {
            id: 'disk-2002',
            label: 'Hard disk 3',
            capacity_bytes: 1073741824,
            datastore: 'SAN-LUN-01',
            vmdk_path: '[SAN-LUN-01] sql-01/sql-01_2.vmdk',
            provisioning: 'thick',
            controller: 'SCSI controller 0',
            unit_number: 2,
          },
        ],
        networks: [
          {
            label: 'Network adapter 1',
            network_name: 'VM Network',
            mac_address: '00:50:56:85:bf:a2',
            adapter_type: 'vmxnet3',
            connected: true,
          },
          {
            label: 'Network adapter 2',
            network_name: 'VLAN 253 - DMZ',
            mac_address: '00:50:56:85:0c:11',
            adapter_type: 'e1000e',
            connected: false,
          },
        ],
      },
    ]);
    // Inventory (3 pages of 5) and VMs: each one RetrievePropertiesEx plus continuations, views destroyed.
    assert.deepEqual(transport.methods().slice(2), [
      'CreateContainerView',
      'RetrievePropertiesEx',
      'ContinueRetrievePropertiesEx',
      'ContinueRetrievePropertiesEx',
      'DestroyView',
      'CreateContainerView',
      'RetrievePropertiesEx',
      'DestroyView',
    ]);
  },
);

test(
  'details keep change ids, RDM and independent flags, and the snapshot tree; concerns list them',
  { timeout: 120_000 },
  async () => {
    const client = await VsphereClient.connect({
      host: 'vcenter.test',
      username: 'u',
      password: 'p',
      transport: estate(100),
    });
    const [result] = await client.discoverVmDetails();
    assert.ok(result);
    const { details, concerns } = result;
    assert.equal(details.disks[0]?.changeId, '52 de c0 2b 7a 3b 1a 9d-2a 1f 5e 26 4b 38 9c 88/17');
    assert.equal(details.disks[0]?.controllerKind, 'lsilogic-sas');
    assert.equal(details.disks[1]?.independent, true);
    assert.equal(details.disks[2]?.rdm, true);
    assert.equal(details.disks[2]?.rdmCompatibilityMode, 'physicalMode');
    assert.equal(details.nics[1]?.portgroupKey, 'dvportgroup-21');
    assert.deepEqual(
      details.snapshot?.roots.map((s) => [s.name, s.children.map((c) => [c.name, c.quiesced])]),
      [['before patch', [['after patch', true]]]],
    );
    assert.equal(details.snapshot?.current?.value, 'snapshot-52');
    assert.deepEqual(
      concerns.map((c) => [c.code, c.severity, c.disk_id]),
      [
        ['snapshots_present', 'warning', undefined],
        ['independent_disk', 'blocker', 'disk-2001'],
        ['rdm_disk', 'blocker', 'disk-2002'],
      ],
    );
  },
);

test(
  'the RetrievePropertiesEx request batches every VM property over one container view',
  { timeout: 120_000 },
  async () => {
    const transport = estate(100);
    const client = await VsphereClient.connect({ host: 'vcenter.test', username: 'u', password: 'p', transport });
    await client.discoverVms({ datacenter: 'Frankfurt' });
    const views = transport.calls.filter((c) => c.method === 'CreateContainerView');
    assert.equal(textOf(views[1]?.body, 'container'), 'datacenter-3');
    const retrieve = transport.calls.filter((c) => c.method === 'RetrievePropertiesEx')[1];
    assert.equal(textOf(retrieve?.body, 'options', 'maxObjects'), '250');
    const specSet = child(retrieve?.body, 'specSet');
    assert.deepEqual(
      specSet?.children.map((c) => c.name),
      ['propSet', 'objectSet'],
    );
    const paths = childrenNamed(child(specSet, 'propSet'), 'pathSet').map((p) => p.text);
    for (const path of ['config.hardware.device', 'config.instanceUuid', 'runtime.powerState', 'snapshot']) {
      assert.ok(paths.includes(path), path);
    }
    const selectSet = child(child(specSet, 'objectSet'), 'selectSet');
    assert.equal(selectSet?.xsiType, 'TraversalSpec');
    assert.equal(textOf(selectSet, 'path'), 'view');
    assert.equal(textOf(child(specSet, 'objectSet'), 'skip'), 'true');
  },
);

test('name filters: substring or glob, case-insensitive, on name or path', { timeout: 120_000 }, () => {
  assert.ok(matchesFilter(undefined, 'x'));
  assert.ok(matchesFilter('SQL', 'sql-01'));
  assert.ok(matchesFilter('/frankfurt/vm/prod*', 'sql-01', '/Frankfurt/vm/Production/sql-01'));
  assert.ok(matchesFilter('sql-0?', 'sql-01'));
  assert.ok(!matchesFilter('sql-0?', 'sql-010'));
  assert.ok(!matchesFilter('web', 'sql-01', '/Frankfurt/vm/sql-01'));
  assert.ok(matchesFilter('a.b', 'a.b') && !matchesFilter('a.b*', 'axb'));
});

test(
  'orphaned VMs without configuration are skipped; disconnected ones carry a blocker',
  { timeout: 120_000 },
  async () => {
    const orphan = objectContent(
      { type: 'VirtualMachine', value: 'vm-43' },
      {
        name: ['xsd:string', 'ghost'],
        'runtime.connectionState': ['VirtualMachineConnectionState', 'orphaned'],
        'runtime.powerState': ['VirtualMachinePowerState', 'poweredOff'],
      },
    );
    const disconnected = objectContent(
      { type: 'VirtualMachine', value: 'vm-44' },
      {
        name: ['xsd:string', 'branch-fs'],
        'config.instanceUuid': ['xsd:string', '50290000-0000-0000-0000-000000000044'],
        'guest.guestFullName': ['xsd:string', 'Rocky Linux 9 (64-bit)'],
        'runtime.connectionState': ['VirtualMachineConnectionState', 'disconnected'],
        'runtime.powerState': ['VirtualMachinePowerState', 'poweredOn'],
      },
    );
    const client = await VsphereClient.connect({
      host: 'vcenter.test',
      username: 'u',
      password: 'p',
      transport: estate(100, [orphan, disconnected, SQL_VM]),
    });
    const results = await client.discoverVmDetails();
    // Sorted by inventory path; the orphan is gone.
    assert.deepEqual(
      results.map((r) => r.vm.path),
      ['/Frankfurt/vm/Production/sql-01', '/branch-fs'],
    );
    const branch = results[1]!;
    assert.equal(branch.vm.os_type, 'Rocky Linux 9 (64-bit)');
    assert.deepEqual(
      branch.concerns.filter((c) => c.severity === 'blocker').map((c) => c.code),
      ['not_connected', 'no_disks'],
    );
  },
);
