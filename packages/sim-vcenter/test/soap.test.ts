import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:https';
import type { VCenterSimulator } from '../src/index';
import { child, children, childText } from '../src/xml-node';
import { Mor } from '../src/vim-value';
import { startTestSimulator, TestSoapClient } from './fixtures';

// The vim25 surface over HTTPS: sessions, faults, property collector paging and updates, views, search.

let sim: VCenterSimulator;
let cleanup: () => Promise<void>;

before(async () => {
  ({ sim, cleanup } = await startTestSimulator());
});

after(async () => {
  await cleanup();
});

const PC = { type: 'PropertyCollector', value: 'propertyCollector' };

test(
  'login: wrong password is InvalidLogin, no session is NotAuthenticated, Logout ends the session',
  { timeout: 120_000 },
  async () => {
    const soap = new TestSoapClient(sim);
    const content = await soap.call('RetrieveServiceContent', { type: 'ServiceInstance', value: 'ServiceInstance' });
    assert.equal(childText(child(content.returnval, 'about'), 'apiVersion'), '8.0.2.0');
    assert.equal(childText(content.returnval, 'rootFolder'), 'group-d1');

    const bad = await soap.call(
      'Login',
      { type: 'SessionManager', value: 'SessionManager' },
      '<userName>admin@test.local</userName><password>nope</password>',
    );
    assert.equal(bad.status, 500);
    assert.equal(bad.fault?.type, 'InvalidLogin');

    const anon = await soap.call('PowerOffVM_Task', { type: 'VirtualMachine', value: 'vm-1' });
    assert.equal(anon.fault?.type, 'NotAuthenticated');

    await soap.login(sim);
    assert.match(soap.cookie ?? '', /^vmware_soap_session=/);
    const who = await soap.call(
      'RetrieveProperties',
      PC,
      '<specSet><propSet><type>SessionManager</type><pathSet>currentSession</pathSet></propSet><objectSet><obj type="SessionManager">SessionManager</obj></objectSet></specSet>',
    );
    assert.equal(childText(child(child(who.returnval, 'propSet'), 'val'), 'userName'), 'admin@test.local');

    const view = await soap.call(
      'CreateContainerView',
      { type: 'ViewManager', value: 'ViewManager' },
      '<container type="Folder">group-d1</container><type>VirtualMachine</type><recursive>true</recursive>',
    );
    const viewRef = { type: 'ContainerView', value: view.returnval?.text ?? '' };
    assert.ok(sim.engine.registry.find(new Mor(viewRef.type, viewRef.value)));
    await soap.call('Logout', { type: 'SessionManager', value: 'SessionManager' });
    assert.equal(
      sim.engine.registry.find(new Mor(viewRef.type, viewRef.value)),
      undefined,
      'session objects go with the session',
    );
    const after = await soap.call(
      'RetrieveProperties',
      PC,
      '<specSet><propSet><type>Folder</type><pathSet>name</pathSet></propSet><objectSet><obj type="Folder">group-d1</obj></objectSet></specSet>',
    );
    assert.equal(after.fault?.type, 'NotAuthenticated');
  },
);

test(
  'container view + RetrievePropertiesEx pages with maxObjects and ContinueRetrievePropertiesEx',
  { timeout: 120_000 },
  async () => {
    const soap = new TestSoapClient(sim);
    await soap.login(sim);
    const view = await soap.call(
      'CreateContainerView',
      { type: 'ViewManager', value: 'ViewManager' },
      '<container type="Folder">group-d1</container><type>ManagedEntity</type><recursive>true</recursive>',
    );
    const viewId = view.returnval?.text ?? '';
    assert.match(viewId, /^session\[/);
    const spec = `<specSet><propSet><type>ManagedEntity</type><pathSet>name</pathSet></propSet><objectSet><obj type="ContainerView">${viewId}</obj><skip>true</skip><selectSet xsi:type="TraversalSpec"><type>ContainerView</type><path>view</path></selectSet></objectSet></specSet>`;
    const names: string[] = [];
    let r = await soap.call('RetrievePropertiesEx', PC, `${spec}<options><maxObjects>4</maxObjects></options>`);
    let pages = 1;
    for (;;) {
      assert.ok(children(r.returnval, 'objects').length <= 4);
      for (const o of children(r.returnval, 'objects')) names.push(child(child(o, 'propSet'), 'val')?.text ?? '');
      const token = childText(r.returnval, 'token');
      if (!token) break;
      r = await soap.call('ContinueRetrievePropertiesEx', PC, `<token>${token}</token>`);
      pages += 1;
    }
    assert.ok(pages > 1);
    for (const n of [
      'DC-Test',
      'Cluster-A',
      'esx-a1.test',
      'DS-01',
      'VLAN 253 - DMZ',
      'Prod-Web-100',
      'DSwitch-T',
      'lin-01',
      'win-01',
      'Prod',
    ]) {
      assert.ok(names.includes(n), `${n} in the view`);
    }
    assert.equal(new Set(names).size, names.length, 'each object once');

    const vms = await soap.call(
      'CreateContainerView',
      { type: 'ViewManager', value: 'ViewManager' },
      '<container type="Folder">group-d1</container><type>VirtualMachine</type><recursive>true</recursive>',
    );
    const list = await soap.call(
      'RetrieveProperties',
      PC,
      `<specSet><propSet><type>ContainerView</type><pathSet>view</pathSet></propSet><objectSet><obj type="ContainerView">${vms.returnval?.text}</obj></objectSet></specSet>`,
    );
    const val = child(child(list.returnval, 'propSet'), 'val');
    assert.equal(val?.attrs['xsi:type'], 'ArrayOfManagedObjectReference');
    assert.equal(children(val, 'ManagedObjectReference').length, 2);
    assert.equal((await soap.call('DestroyView', { type: 'ContainerView', value: viewId })).fault, undefined);

    // A view of a cluster holds the VMs of its resource pool, as on vCenter.
    const cluster = sim.engine.registry.all().find((o) => o.ref.type === 'ClusterComputeResource');
    const cv = await soap.call(
      'CreateContainerView',
      { type: 'ViewManager', value: 'ViewManager' },
      `<container type="ClusterComputeResource">${cluster?.ref.value}</container><type>VirtualMachine</type><recursive>true</recursive>`,
    );
    const inCluster = await soap.call(
      'RetrieveProperties',
      PC,
      `<specSet><propSet><type>ContainerView</type><pathSet>view</pathSet></propSet><objectSet><obj type="ContainerView">${cv.returnval?.text}</obj></objectSet></specSet>`,
    );
    assert.equal(children(child(child(inCluster.returnval, 'propSet'), 'val'), 'ManagedObjectReference').length, 2);
  },
);

test(
  'unknown objects give ManagedObjectNotFound; SearchIndex finds by inventory path',
  { timeout: 120_000 },
  async () => {
    const soap = new TestSoapClient(sim);
    await soap.login(sim);
    const missing = await soap.call(
      'RetrieveProperties',
      PC,
      '<specSet><propSet><type>VirtualMachine</type><pathSet>name</pathSet></propSet><objectSet><obj type="VirtualMachine">vm-4242</obj></objectSet></specSet>',
    );
    assert.equal(missing.fault?.type, 'ManagedObjectNotFound');
    assert.equal(childText(missing.fault?.detail, 'obj'), 'vm-4242');
    const power = await soap.call('PowerOnVM_Task', { type: 'VirtualMachine', value: 'vm-4242' });
    assert.equal(power.fault?.type, 'ManagedObjectNotFound');

    const found = await soap.call(
      'FindByInventoryPath',
      { type: 'SearchIndex', value: 'SearchIndex' },
      '<inventoryPath>DC-Test/vm/Prod/lin-01</inventoryPath>',
    );
    assert.equal(found.returnval?.text, sim.engine.findVm('lin-01')?.ref.value);
    assert.equal(found.returnval?.attrs.type, 'VirtualMachine');
    const none = await soap.call(
      'FindByInventoryPath',
      { type: 'SearchIndex', value: 'SearchIndex' },
      '<inventoryPath>DC-Test/vm/nope</inventoryPath>',
    );
    assert.equal(none.returnval, undefined);
  },
);

test(
  'WaitForUpdatesEx reports a task from queued to success, and power state changes',
  { timeout: 120_000 },
  async () => {
    const soap = new TestSoapClient(sim);
    await soap.login(sim);
    const vm = sim.engine.findVm('win-01');
    assert.ok(vm);
    const pc = await soap.call('CreatePropertyCollector', PC);
    const pcRef = { type: 'PropertyCollector', value: pc.returnval?.text ?? '' };
    await soap.call(
      'CreateFilter',
      pcRef,
      `<spec><propSet><type>VirtualMachine</type><pathSet>runtime.powerState</pathSet></propSet><objectSet><obj type="VirtualMachine">${vm.ref.value}</obj></objectSet></spec><partialUpdates>false</partialUpdates>`,
    );
    const first = await soap.call(
      'WaitForUpdatesEx',
      pcRef,
      '<version></version><options><maxWaitSeconds>5</maxWaitSeconds></options>',
    );
    const update = child(child(first.returnval, 'filterSet'), 'objectSet');
    assert.equal(childText(update, 'kind'), 'enter');
    assert.equal(childText(child(update, 'changeSet'), 'val'), 'poweredOff');
    const version = childText(first.returnval, 'version') ?? '';

    const idle = await soap.call(
      'WaitForUpdatesEx',
      pcRef,
      `<version>${version}</version><options><maxWaitSeconds>0</maxWaitSeconds></options>`,
    );
    assert.equal(idle.returnval, undefined, 'nothing changed');

    const waiting = soap.call(
      'WaitForUpdatesEx',
      pcRef,
      `<version>${version}</version><options><maxWaitSeconds>10</maxWaitSeconds></options>`,
    );
    const other = new TestSoapClient(sim);
    await other.login(sim);
    const info = await other.runTask('PowerOnVM_Task', { type: 'VirtualMachine', value: vm.ref.value });
    assert.equal(childText(info, 'state'), 'success');
    const next = await waiting;
    const change = child(child(child(next.returnval, 'filterSet'), 'objectSet'), 'changeSet');
    assert.equal(childText(change, 'name'), 'runtime.powerState');
    assert.equal(childText(change, 'val'), 'poweredOn');

    const shut = await other.call('ShutdownGuest', { type: 'VirtualMachine', value: vm.ref.value });
    assert.equal(shut.fault, undefined);
    const off = await soap.call(
      'WaitForUpdatesEx',
      pcRef,
      `<version>2</version><options><maxWaitSeconds>10</maxWaitSeconds></options>`,
    );
    assert.equal(
      childText(child(child(child(off.returnval, 'filterSet'), 'objectSet'), 'changeSet'), 'val'),
      'poweredOff',
    );

    const again = await other.runTask('PowerOffVM_Task', { type: 'VirtualMachine', value: vm.ref.value });
    assert.equal(childText(again, 'state'), 'error');
    assert.equal(child(child(again, 'error'), 'fault')?.attrs['xsi:type'], 'InvalidPowerState');
  },
);

test(
  'the simulator serves vimServiceVersions.xml and pins by the certificate it reports',
  { timeout: 120_000 },
  async () => {
    const body = await new Promise<string>((resolve, reject) => {
      request(
        {
          host: sim.host,
          port: sim.port,
          path: '/sdk/vimServiceVersions.xml',
          ca: sim.certificatePem,
          checkServerIdentity: () => undefined,
        },
        (res) => {
          let s = '';
          res.on('data', (c: Buffer) => (s += c.toString()));
          res.on('end', () => resolve(s));
        },
      )
        .on('error', reject)
        .end();
    });
    assert.match(body, /<version>8\.0\.2\.0<\/version>/);
    assert.match(sim.thumbprints.sha1, /^([0-9A-F]{2}:){19}[0-9A-F]{2}$/);
    assert.match(sim.thumbprints.sha256, /^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
  },
);

test(
  'scripted faults: a plain method fails the call, a *_Task method fails inside its task',
  { timeout: 120_000 },
  async () => {
    const soap = new TestSoapClient(sim);
    await soap.login(sim);
    const vm = sim.engine.findVm('lin-01');
    assert.ok(vm);
    sim.injectFault('CreateSnapshot_Task', 'InvalidState', { message: 'snapshot hierarchy is too deep' });
    const info = await soap.runTask(
      'CreateSnapshot_Task',
      { type: 'VirtualMachine', value: vm.ref.value },
      '<name>x</name>',
    );
    assert.equal(childText(info, 'state'), 'error');
    assert.equal(child(child(info, 'error'), 'fault')?.attrs['xsi:type'], 'InvalidState');
    assert.equal(childText(child(info, 'error'), 'localizedMessage'), 'snapshot hierarchy is too deep');
    assert.equal(vm.snapshots.length, 0);

    sim.injectFault('RetrievePropertiesEx', 'SystemError', { times: 1 });
    const spec =
      '<specSet><propSet><type>Folder</type><pathSet>name</pathSet></propSet><objectSet><obj type="Folder">group-d1</obj></objectSet></specSet>';
    assert.equal((await soap.call('RetrievePropertiesEx', PC, spec)).fault?.type, 'SystemError');
    assert.equal((await soap.call('RetrievePropertiesEx', PC, spec)).fault, undefined, 'only once');

    sim.expireSessions();
    assert.equal((await soap.call('RetrievePropertiesEx', PC, spec)).fault?.type, 'NotAuthenticated');
  },
);

test('control routes: guest write over HTTP, read back, random guest writes', { timeout: 120_000 }, async () => {
  const auth = `Basic ${Buffer.from(`${sim.username}:${sim.password}`).toString('base64')}`;
  const http = (method: string, path: string, body?: Buffer): Promise<{ status: number; body: Buffer }> =>
    new Promise((resolve, reject) => {
      const req = request(
        {
          host: sim.host,
          port: sim.port,
          path,
          method,
          ca: sim.certificatePem,
          checkServerIdentity: () => undefined,
          headers: { Authorization: auth },
        },
        (res) => {
          const parts: Buffer[] = [];
          res.on('data', (c: Buffer) => parts.push(c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(parts) }));
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  const payload = Buffer.from('written by the guest');
  const w = await http('POST', '/_sim/vms/lin-01/disks/2001/write?offset=65536', payload);
  assert.equal(w.status, 200);
  const r = await http('GET', `/_sim/vms/lin-01/disks/2001/read?offset=65536&length=${payload.length}`);
  assert.ok(r.body.equals(payload));
  const list = JSON.parse((await http('GET', '/_sim/vms')).body.toString()) as Array<{
    name: string;
    disks: Array<{ key: number }>;
  }>;
  assert.deepEqual(list.map((v) => v.name).sort(), ['lin-01', 'win-01']);
  const tick = JSON.parse((await http('POST', '/_sim/guest-writes/tick')).body.toString()) as { written: number };
  assert.ok(tick.written > 0);
  assert.equal((await http('POST', '/_sim/vms/lin-01/disks/2001/write?offset=999999999', payload)).status, 400);

  const anonymous = await new Promise<number>((resolve, reject) => {
    request(
      {
        host: sim.host,
        port: sim.port,
        path: '/_sim/vms',
        ca: sim.certificatePem,
        checkServerIdentity: () => undefined,
      },
      (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      },
    )
      .on('error', reject)
      .end();
  });
  assert.equal(anonymous, 401);
});

test('a logger sees each vim25 call at debug level', { timeout: 120_000 }, async () => {
  const lines: Array<Record<string, unknown>> = [];
  const logger = {
    debug: (fields: Record<string, unknown>): void => {
      lines.push(fields);
    },
    info: (): void => undefined,
    warn: (): void => undefined,
  };
  const { sim: logged, cleanup: done } = await startTestSimulator({ logger });
  try {
    const soap = new TestSoapClient(logged);
    await soap.login(logged);
    await soap.call('PowerOnVM_Task', { type: 'VirtualMachine', value: 'vm-0' });
    assert.deepEqual(
      lines.map((l) => [l.method, l.status]),
      [
        ['Login', 200],
        ['PowerOnVM_Task', 500],
      ],
    );
    assert.ok(
      lines.every((l) => !JSON.stringify(l).includes(logged.password)),
      'no secrets in logs',
    );
  } finally {
    await done();
  }
});
