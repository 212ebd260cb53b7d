import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '@migratekit/core';
import { InvalidStateError, VsphereClient } from '@migratekit/vsphere';
import type { InventorySpec, VCenterSimulator } from '../src/index';
import { child, childText } from '../src/xml-node';
import { MiB, smallInventory, startTestSimulator, TestSoapClient } from './fixtures';

// Power and guest shutdown as the failover needs them: ShutdownGuest takes its time on the simulator's clock
// and needs running VMware Tools; PowerOn/PowerOff fault with InvalidPowerState; runtime and summary follow.
// Through the wire (TestSoapClient) and through the project's vsphere client.

const DELAY = 30_000;
const inventory: InventorySpec = structuredClone(smallInventory);
inventory.datacenters[0]?.vms.push({
  name: 'notools-01',
  host: 'esx-a2.test',
  guest: 'linux',
  guestId: 'centos7_64Guest',
  guestFullName: 'CentOS 7 (64-bit)',
  tools: 'toolsNotInstalled',
  disks: [{ capacityBytes: MiB, datastore: 'DS-01' }],
  nics: [{ network: 'VLAN 253 - DMZ' }],
});

let sim: VCenterSimulator;
let cleanup: () => Promise<void>;
let soap: TestSoapClient;
const clock = new ManualClock();

function ref(name: string): { type: string; value: string } {
  const vm = sim.engine.findVm(name);
  if (!vm) throw new Error(`no VM ${name}`);
  return { type: 'VirtualMachine', value: vm.ref.value };
}

async function prop(name: string, path: string): Promise<string | undefined> {
  const self = ref(name);
  const r = await soap.call(
    'RetrieveProperties',
    { type: 'PropertyCollector', value: 'propertyCollector' },
    `<specSet><propSet><type>VirtualMachine</type><pathSet>${path}</pathSet></propSet><objectSet><obj type="VirtualMachine">${self.value}</obj></objectSet></specSet>`,
  );
  return child(child(r.returnval, 'propSet'), 'val')?.text;
}

async function settle(): Promise<void> {
  for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
}

describe('power and guest shutdown', { timeout: 60_000 }, () => {
  before(async () => {
    ({ sim, cleanup } = await startTestSimulator({ inventory, clock, guestShutdownDelayMs: DELAY }));
    soap = new TestSoapClient(sim);
    await soap.login(sim);
  });

  after(async () => {
    await cleanup();
  });

  test('ShutdownGuest returns at once; the guest powers off when the delay has passed on the clock', async () => {
    const r = await soap.call('ShutdownGuest', ref('lin-01'));
    assert.equal(r.fault, undefined);
    assert.equal(await prop('lin-01', 'guest.guestState'), 'shuttingDown');
    await clock.advance(DELAY - 1);
    await settle();
    assert.equal(await prop('lin-01', 'runtime.powerState'), 'poweredOn', 'not before the delay');
    await clock.advance(1);
    await settle();
    assert.equal(await prop('lin-01', 'runtime.powerState'), 'poweredOff');
    assert.equal(await prop('lin-01', 'summary.runtime.powerState'), 'poweredOff');
    assert.equal(await prop('lin-01', 'guest.guestState'), 'notRunning');
    const again = await soap.call('ShutdownGuest', ref('lin-01'));
    assert.equal(again.fault?.type, 'InvalidPowerState');
  });

  test('PowerOn/PowerOff fail inside their task with InvalidPowerState naming the existing state', async () => {
    const off = await soap.runTask('PowerOffVM_Task', ref('lin-01'));
    const fault = child(child(off, 'error'), 'fault');
    assert.equal(fault?.attrs['xsi:type'], 'InvalidPowerState');
    assert.equal(childText(fault, 'existingState'), 'poweredOff');
    const on = await soap.runTask('PowerOnVM_Task', ref('lin-01'));
    assert.equal(childText(on, 'state'), 'success');
    assert.equal(await prop('lin-01', 'summary.runtime.powerState'), 'poweredOn');
    const twice = await soap.runTask('PowerOnVM_Task', ref('lin-01'));
    assert.equal(child(child(twice, 'error'), 'fault')?.attrs['xsi:type'], 'InvalidPowerState');
  });

  test('a guest without running VMware Tools cannot be shut down: ToolsUnavailable', async () => {
    const r = await soap.call('ShutdownGuest', ref('notools-01'));
    assert.equal(r.fault?.type, 'ToolsUnavailable');
    assert.equal(await prop('notools-01', 'runtime.powerState'), 'poweredOn');
  });

  test('power off and on during a guest shutdown: the stale shutdown does not stop the new boot', async () => {
    await soap.call('ShutdownGuest', ref('lin-01'));
    const off = await soap.runTask('PowerOffVM_Task', ref('lin-01'));
    assert.equal(childText(off, 'state'), 'success');
    await soap.runTask('PowerOnVM_Task', ref('lin-01'));
    await clock.advance(DELAY);
    await settle();
    assert.equal(
      await prop('lin-01', 'runtime.powerState'),
      'poweredOn',
      'the old shutdown does not reach the new boot',
    );
  });

  test('the vsphere client: graceful shutdown on the clock, hard power-off without tools, typed faults', async () => {
    const client = await VsphereClient.connect({
      host: sim.url,
      username: sim.username,
      password: sim.password,
      thumbprint: sim.thumbprints.sha256,
      clock,
    });
    try {
      const lin = ref('lin-01');
      const pending = client.shutdown(lin, { timeoutMs: 5 * DELAY, pollMs: 1000 });
      for (let i = 0; i < 40 && sim.engine.findVm('lin-01')?.powerState === 'poweredOn'; i++) {
        await settle();
        await clock.advance(1000);
      }
      assert.equal(await pending, 'guest-shutdown');
      assert.equal(await client.shutdown(lin), 'already-off');
      await assert.rejects(client.powerOff(lin), InvalidStateError);
      await client.powerOn(lin);
      assert.equal(await client.shutdown(ref('notools-01')), 'hard-power-off');
      assert.equal(sim.engine.findVm('notools-01')?.powerState, 'poweredOff');
    } finally {
      await client.close();
    }
  });
});
