import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:https';
import type { VCenterSimulator } from '../src/index';
import { compareVersions, negotiatedVersion } from '../src/vim-version';
import { child, children, childText, parseXml } from '../src/xml-node';
import type { XNode } from '../src/xml-node';
import { startTestSimulator, TestSoapClient } from './fixtures';

// The vim25 services beyond VMs, on the wire: version-aware encoding, the ServiceContent managers,
// WaitForUpdates/CheckForUpdates, list views, events and the datastore browser. Real clients prove the
// same in pyvmomi.peer.test.ts and govc.peer.test.ts.

const PC = { type: 'PropertyCollector', value: 'propertyCollector' };

let sim: VCenterSimulator;
let cleanup: () => Promise<void>;
let soap: TestSoapClient;

function retrieve(obj: { type: string; value: string }, path: string): string {
  return `<specSet><propSet><type>${obj.type}</type><pathSet>${path}</pathSet></propSet><objectSet><obj type="${obj.type}">${obj.value}</obj></objectSet></specSet>`;
}

async function property(obj: { type: string; value: string }, path: string): Promise<XNode | undefined> {
  const r = await soap.call('RetrieveProperties', PC, retrieve(obj, path));
  if (r.fault) throw new Error(`${obj.value}.${path}: ${r.fault.type} ${r.fault.message}`);
  return child(child(r.returnval, 'propSet'), 'val');
}

function getText(url: string): Promise<string> {
  return new Promise((resolve, reject) => {
    request(url, { ca: sim.certificatePem, checkServerIdentity: () => undefined }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve(body));
    })
      .on('error', reject)
      .end();
  });
}

describe('vim25 services', { timeout: 60_000 }, () => {
  before(async () => {
    ({ sim, cleanup } = await startTestSimulator());
    soap = new TestSoapClient(sim);
    await soap.login(sim);
  });

  after(async () => {
    await cleanup();
  });

  test('the SOAPAction version picks what is encoded: 8.0 properties only for 8.0 clients', async () => {
    const vm = sim.engine.findVm('lin-01');
    assert.ok(vm);
    const self = { type: 'VirtualMachine', value: vm.ref.value };
    soap.apiVersion = '8.0.2.0';
    const hw8 = await property(self, 'config.hardware');
    assert.equal(childText(hw8, 'motherboardLayout'), 'i440bxHostBridge');
    assert.equal(childText(await property(self, 'guest'), 'hwVersion'), 'vmx-19');
    soap.apiVersion = '6.7';
    const hw67 = await property(self, 'config.hardware');
    assert.equal(childText(hw67, 'numCPU'), '2');
    assert.equal(child(hw67, 'motherboardLayout'), undefined);
    assert.equal(child(hw67, 'autoCoresPerSocket'), undefined);
    assert.equal(child(await property(self, 'guest'), 'hwVersion'), undefined, 'GuestInfo.hwVersion is 7.0');
    assert.equal(childText(await property(self, 'config'), 'createDate')?.slice(0, 4), '2024', 'createDate is 6.7');
    soap.apiVersion = '6.5';
    assert.equal(child(await property(self, 'config'), 'createDate'), undefined);
    soap.apiVersion = '8.0.2.0';
  });

  test('negotiated versions and vimServiceVersions.xml agree', async () => {
    assert.equal(negotiatedVersion('"urn:vim25/6.7"'), '6.7');
    assert.equal(negotiatedVersion('urn:vim25/7.0'), '7.0.0.0');
    assert.equal(negotiatedVersion('urn:vim25/6.8'), '6.7.3', 'an unknown version gets the older neighbour');
    assert.equal(negotiatedVersion('urn:vim25/9.0.0.0'), '8.0.2.0');
    assert.equal(negotiatedVersion(undefined), '8.0.2.0');
    assert.equal(negotiatedVersion('urn:vim25/5.5'), '6.0');
    assert.ok(compareVersions('6.7.3', '7.0') < 0);
    const xml = parseXml(await getText(`${sim.url}/vimServiceVersions.xml`));
    const ns = child(xml, 'namespace');
    const listed = [childText(ns, 'version'), ...children(child(ns, 'priorVersions'), 'version').map((v) => v.text)];
    assert.equal(listed[0], '8.0.2.0');
    for (const v of ['8.0.0.0', '7.0.3.0', '7.0.0.0', '6.7.3', '6.7.1', '6.7', '6.5', '6.0'])
      assert.ok(listed.includes(v), v);
    for (const v of listed) assert.equal(negotiatedVersion(`urn:vim25/${v ?? ''}`), v, 'each listed version is served');
  });

  test('every manager ServiceContent names exists and answers its properties', async () => {
    const content = (await soap.call('RetrieveServiceContent', { type: 'ServiceInstance', value: 'ServiceInstance' }))
      .returnval;
    const refs = (content?.children ?? []).filter((c) => c.attrs.type !== undefined);
    assert.ok(refs.length >= 15);
    for (const r of refs) {
      const obj = { type: r.attrs.type ?? '', value: r.text };
      const res = await soap.call(
        'RetrieveProperties',
        PC,
        `<specSet><propSet><type>${obj.type}</type><all>true</all></propSet><objectSet><obj type="${obj.type}">${obj.value}</obj></objectSet></specSet>`,
      );
      assert.equal(res.fault, undefined, `${r.name} (${obj.value}): ${res.fault?.message}`);
    }
    const roles = await property({ type: 'AuthorizationManager', value: 'AuthorizationManager' }, 'roleList');
    assert.ok(children(roles, 'AuthorizationRole').some((x) => childText(x, 'name') === 'Admin'));
    const fields = await property({ type: 'CustomFieldsManager', value: 'CustomFieldsManager' }, 'field');
    assert.equal(fields?.attrs['xsi:type'], 'ArrayOfCustomFieldDef', 'an empty array is still sent, typed');
    assert.equal(fields?.children.length, 0);
    const domains = await property({ type: 'UserDirectory', value: 'UserDirectory' }, 'domainList');
    assert.equal(children(domains, 'string')[0]?.text, 'vsphere.local');
  });

  test('WaitForUpdates answers the filter at once, then waits for a change; CheckForUpdates never waits', async () => {
    const vm = sim.engine.findVm('win-01');
    assert.ok(vm);
    const filter = await soap.call(
      'CreateFilter',
      PC,
      `<spec><propSet><type>VirtualMachine</type><pathSet>runtime.powerState</pathSet></propSet><objectSet><obj type="VirtualMachine">${vm.ref.value}</obj></objectSet></spec><partialUpdates>false</partialUpdates>`,
    );
    assert.equal(filter.fault, undefined);
    const first = await soap.call('WaitForUpdates', PC, '<version></version>');
    const version = childText(first.returnval, 'version') ?? '';
    assert.equal(
      childText(child(child(child(first.returnval, 'filterSet'), 'objectSet'), 'changeSet'), 'val'),
      'poweredOff',
    );
    assert.equal((await soap.call('CheckForUpdates', PC, `<version>${version}</version>`)).returnval, undefined);
    const waiting = soap.call('WaitForUpdates', PC, `<version>${version}</version>`);
    await soap.runTask('PowerOnVM_Task', { type: 'VirtualMachine', value: vm.ref.value });
    const next = await waiting;
    assert.equal(
      childText(child(child(child(next.returnval, 'filterSet'), 'objectSet'), 'changeSet'), 'val'),
      'poweredOn',
    );
    await soap.call('DestroyPropertyFilter', { type: 'PropertyFilter', value: filter.returnval?.text ?? '' });
  });

  test('list views hold the objects they are given; unknown ones come back unresolved', async () => {
    const [a, b] = sim.engine.vms;
    assert.ok(a && b);
    const created = await soap.call(
      'CreateListView',
      { type: 'ViewManager', value: 'ViewManager' },
      `<obj type="VirtualMachine">${a.ref.value}</obj>`,
    );
    const view = { type: 'ListView', value: created.returnval?.text ?? '' };
    const members = async (): Promise<string[]> =>
      children(await property(view, 'view'), 'ManagedObjectReference').map((m) => m.text);
    assert.deepEqual(await members(), [a.ref.value]);
    const modified = await soap.call(
      'ModifyListView',
      view,
      `<add type="VirtualMachine">${b.ref.value}</add><add type="VirtualMachine">vm-99999</add><remove type="VirtualMachine">${a.ref.value}</remove>`,
    );
    assert.deepEqual(
      modified.returnvals.map((r) => r.text),
      ['vm-99999'],
    );
    assert.deepEqual(await members(), [b.ref.value]);
    await soap.call('ResetListView', view, `<obj type="VirtualMachine">${a.ref.value}</obj>`);
    assert.deepEqual(await members(), [a.ref.value]);
    await soap.call('DestroyView', view);
    assert.equal(
      (await soap.call('RetrieveProperties', PC, retrieve(view, 'view'))).fault?.type,
      'ManagedObjectNotFound',
    );
  });

  test('events: QueryEvents and a history collector with latestPage and paging', async () => {
    const vm = sim.engine.findVm('lin-01');
    assert.ok(vm);
    const self = { type: 'VirtualMachine', value: vm.ref.value };
    await soap.runTask('PowerOffVM_Task', self);
    await soap.runTask('PowerOnVM_Task', self);
    const filter = `<filter><entity><entity type="VirtualMachine">${vm.ref.value}</entity><recursion>self</recursion></entity><eventTypeId>VmPoweredOffEvent</eventTypeId><eventTypeId>VmPoweredOnEvent</eventTypeId></filter>`;
    const em = { type: 'EventManager', value: 'EventManager' };
    const found = await soap.call('QueryEvents', em, filter);
    assert.deepEqual(
      found.returnvals.map((e) => e.attrs['xsi:type']),
      ['VmPoweredOffEvent', 'VmPoweredOnEvent'],
    );
    assert.equal(childText(child(found.returnvals[0], 'vm'), 'name'), 'lin-01');
    const created = await soap.call('CreateCollectorForEvents', em, filter);
    const collector = { type: 'EventHistoryCollector', value: created.returnval?.text ?? '' };
    const page = await property(collector, 'latestPage');
    assert.deepEqual(
      children(page, 'Event').map((e) => e.attrs['xsi:type']),
      ['VmPoweredOnEvent', 'VmPoweredOffEvent'],
      'latestPage is newest first',
    );
    assert.equal((await soap.call('ReadNextEvents', collector, '<maxCount>10</maxCount>')).returnvals.length, 0);
    const previous = await soap.call('ReadPreviousEvents', collector, '<maxCount>1</maxCount>');
    assert.deepEqual(
      previous.returnvals.map((e) => e.attrs['xsi:type']),
      ['VmPoweredOnEvent'],
    );
    await soap.call('RewindCollector', collector);
    const next = await soap.call('ReadNextEvents', collector, '<maxCount>10</maxCount>');
    assert.deepEqual(
      next.returnvals.map((e) => e.attrs['xsi:type']),
      ['VmPoweredOffEvent', 'VmPoweredOnEvent'],
    );
    await soap.call('DestroyCollector', collector);
    assert.equal((await soap.call('RewindCollector', collector)).fault?.type, 'ManagedObjectNotFound');
  });

  test('the datastore browser lists VM folders and files; a missing folder is FileNotFound', async () => {
    const ds = sim.engine.registry.all().find((o) => o.ref.type === 'Datastore');
    assert.ok(ds);
    const browser = await property({ type: 'Datastore', value: ds.ref.value }, 'browser');
    const self = { type: 'HostDatastoreBrowser', value: browser?.text ?? '' };
    const spec =
      '<searchSpec><matchPattern>*.vmdk</matchPattern><details><fileType>true</fileType><fileSize>true</fileSize><modification>false</modification></details></searchSpec>';
    const info = await soap.runTask(
      'SearchDatastore_Task',
      self,
      `<datastorePath>[DS-01] lin-01</datastorePath>${spec}`,
    );
    const result = child(info, 'result');
    assert.equal(childText(result, 'folderPath'), '[DS-01] lin-01');
    const files = children(result, 'file');
    assert.deepEqual(
      files.map((f) => [f.attrs['xsi:type'], childText(f, 'path'), childText(f, 'capacityKb')]),
      [
        ['VmDiskFileInfo', 'lin-01.vmdk', '8192'],
        ['VmDiskFileInfo', 'lin-01_1.vmdk', '4096'],
      ],
    );
    const all = await soap.runTask('SearchDatastoreSubFolders_Task', self, '<datastorePath>[DS-01]</datastorePath>');
    assert.deepEqual(
      children(child(all, 'result'), 'HostDatastoreBrowserSearchResults').map((r) => childText(r, 'folderPath')),
      ['[DS-01]', '[DS-01] lin-01', '[DS-01] win-01'],
    );
    const missing = await soap.runTask('SearchDatastore_Task', self, '<datastorePath>[DS-01] nothing</datastorePath>');
    assert.equal(child(child(missing, 'error'), 'fault')?.attrs['xsi:type'], 'FileNotFound');
  });

  test('a pending WaitForUpdates ends when its session does', async () => {
    const waiter = new TestSoapClient(sim);
    await waiter.login(sim);
    const vm = sim.engine.vms[0];
    assert.ok(vm);
    await waiter.call(
      'CreateFilter',
      PC,
      `<spec><propSet><type>VirtualMachine</type><pathSet>name</pathSet></propSet><objectSet><obj type="VirtualMachine">${vm.ref.value}</obj></objectSet></spec><partialUpdates>false</partialUpdates>`,
    );
    const first = await waiter.call('WaitForUpdates', PC, '<version></version>');
    const pending = waiter.call(
      'WaitForUpdates',
      PC,
      `<version>${childText(first.returnval, 'version') ?? ''}</version>`,
    );
    await waiter.call('Logout', { type: 'SessionManager', value: 'SessionManager' });
    const ended = await pending;
    assert.equal(child(ended.returnval, 'filterSet'), undefined, 'an empty UpdateSet, not a wait forever');
  });

  test('SearchIndex: FindByUuid (BIOS and instance UUID) and FindChild', async () => {
    const vm = sim.engine.findVm('win-01');
    assert.ok(vm);
    const si = { type: 'SearchIndex', value: 'SearchIndex' };
    const byBios = await soap.call('FindByUuid', si, `<uuid>${vm.uuid.toUpperCase()}</uuid><vmSearch>true</vmSearch>`);
    assert.equal(byBios.returnval?.text, vm.ref.value);
    const byInstance = await soap.call(
      'FindByUuid',
      si,
      `<uuid>${vm.instanceUuid}</uuid><vmSearch>true</vmSearch><instanceUuid>true</instanceUuid>`,
    );
    assert.equal(byInstance.returnval?.text, vm.ref.value);
    const none = await soap.call(
      'FindByUuid',
      si,
      '<uuid>00000000-0000-0000-0000-000000000000</uuid><vmSearch>true</vmSearch>',
    );
    assert.equal(none.returnval, undefined);
    const folder = vm.parent;
    assert.ok(folder);
    const found = await soap.call(
      'FindChild',
      si,
      `<entity type="Folder">${folder.ref.value}</entity><name>win-01</name>`,
    );
    assert.equal(found.returnval?.text, vm.ref.value);
  });
});
