import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '@migratekit/core';
import { child, childText } from '../src/xml-node';
import type { XNode } from '../src/xml-node';
import { startTestSimulator, TestSoapClient } from './fixtures';

// Tasks that take time (on an injected clock): progress on the way, and TaskInProgress for a second task.

test(
  'a slow task reports progress, and a concurrent task on the same VM fails with TaskInProgress',
  { timeout: 120_000 },
  async () => {
    const clock = new ManualClock();
    const { sim, cleanup } = await startTestSimulator({ clock, taskDurationMs: 1000, guestShutdownDelayMs: 5000 });
    try {
      const soap = new TestSoapClient(sim);
      await soap.login(sim);
      const vm = sim.engine.findVm('lin-01');
      assert.ok(vm);
      const self = { type: 'VirtualMachine', value: vm.ref.value };
      const info = async (task: string): Promise<XNode | undefined> => {
        const r = await soap.call(
          'RetrieveProperties',
          { type: 'PropertyCollector', value: 'propertyCollector' },
          `<specSet><propSet><type>Task</type><pathSet>info</pathSet></propSet><objectSet><obj type="Task">${task}</obj></objectSet></specSet>`,
        );
        return child(child(r.returnval, 'propSet'), 'val');
      };
      const off = (await soap.call('PowerOffVM_Task', self)).returnval?.text ?? '';
      for (let i = 0; i < 100 && clock.pendingSleepers === 0; i++) await new Promise((r) => setImmediate(r));
      const running = await info(off);
      assert.equal(childText(running, 'state'), 'running');
      assert.equal(childText(running, 'progress'), '0');

      const second = await soap.runTask('ReconfigVM_Task', self, '<spec><numCPUs>4</numCPUs></spec>');
      assert.equal(child(child(second, 'error'), 'fault')?.attrs['xsi:type'], 'TaskInProgress');
      assert.equal(vm.cpus, 2);

      // Each quarter of the duration is one sleep on the clock.
      const quarter = async (): Promise<void> => {
        for (let i = 0; i < 100 && clock.pendingSleepers === 0; i++) await new Promise((r) => setImmediate(r));
        await clock.advance(250);
      };
      await quarter();
      await quarter();
      assert.equal(childText(await info(off), 'progress'), '50');
      assert.equal(vm.powerState, 'poweredOn', 'not yet');
      await quarter();
      await quarter();
      for (let i = 0; i < 100 && vm.powerState === 'poweredOn'; i++) await new Promise((r) => setImmediate(r));
      const done = await info(off);
      assert.equal(childText(done, 'state'), 'success');
      assert.equal(childText(done, 'progress'), '100');
      assert.equal(vm.powerState, 'poweredOff');

      // The guest shutdown delay runs on the same clock.
      const on = (await soap.call('PowerOnVM_Task', self)).returnval?.text ?? '';
      for (let q = 0; q < 4; q++) await quarter();
      for (let i = 0; i < 100 && childText(await info(on), 'state') !== 'success'; i++)
        await new Promise((r) => setImmediate(r));
      assert.equal((await soap.call('ShutdownGuest', self)).fault, undefined);
      assert.equal(clock.pendingSleepers, 1);
      await clock.advance(4999);
      assert.equal(vm.powerState, 'poweredOn');
      await clock.advance(1);
      for (let i = 0; i < 100 && vm.powerState === 'poweredOn'; i++) await new Promise((r) => setImmediate(r));
      assert.equal(vm.powerState, 'poweredOff');
    } finally {
      await cleanup();
    }
  },
);
