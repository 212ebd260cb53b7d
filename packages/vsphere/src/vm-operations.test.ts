// Changed-area paging, task waiting and the shutdown fallback, against recorded bodies and a ManualClock.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isMigrateKitError, ManualClock } from '@migratekit/core';
import {
  BASE_HANDLERS,
  FakeTransport,
  type Handler,
  requestedObject,
  soapFault,
  soapResponse,
} from '../test/fake-transport';
import { FileFaultError, InvalidStateError } from './soap/vim-faults';
import type { TaskProgress } from './tasks';
import { moRef } from './vim-types';
import { textOf } from '@migratekit/node-common';
import { mergeChangedAreas } from './vm-operations';
import { VsphereClient } from './vsphere-client';

const MiB = 1024 * 1024;
const vm = moRef('VirtualMachine', 'vm-42');
const snapshot = moRef('VirtualMachineSnapshot', 'snapshot-77');

function connect(handlers: Record<string, Handler>, clock = new ManualClock()): Promise<VsphereClient> {
  const transport = new FakeTransport({ ...BASE_HANDLERS, ...handlers });
  return VsphereClient.connect({ host: 'vcenter.test', username: 'u', password: 'p', transport, clock });
}

function changeInfo(startOffset: number, length: number, areas: [number, number][]): string {
  const changed = areas.map(([s, l]) => `<changedArea><start>${s}</start><length>${l}</length></changedArea>`).join('');
  return soapResponse(
    'QueryChangedDiskAreas',
    `<returnval><startOffset>${startOffset}</startOffset><length>${length}</length>${changed}</returnval>`,
  );
}

/** Lets a pending promise run while advancing a ManualClock, in bounded steps. */
async function driveClock<T>(clock: ManualClock, promise: Promise<T>, stepMs: number, maxSteps = 1000): Promise<T> {
  let settled = false;
  const tracked = promise.finally(() => {
    settled = true;
  });
  // The caller awaits `tracked` after the loop; mark it handled so a rejection meanwhile is not "unhandled".
  tracked.catch(() => undefined);
  for (let i = 0; i < maxSteps && !settled; i++) {
    await new Promise<void>((resolve) => setImmediate(resolve));
    if (clock.pendingSleepers > 0) await clock.advance(stepMs);
  }
  return tracked;
}

test('mergeChangedAreas sorts, joins touching and overlapping areas, drops empty ones', { timeout: 120_000 }, () => {
  assert.deepEqual(
    mergeChangedAreas([
      { start: 1 * MiB, length: 4096 },
      { start: 0, length: 65536 },
      { start: 65536, length: 65536 },
      { start: 100, length: 10 },
      { start: 5 * MiB, length: 0 },
      { start: 1 * MiB + 2048, length: 8192 },
    ]),
    [
      { start: 0, length: 131072 },
      { start: 1 * MiB, length: 10240 },
    ],
  );
});

test(
  'QueryChangedDiskAreas is paged by start offset until the end of the disk and merged',
  { timeout: 120_000 },
  async () => {
    const windows: Record<number, string> = {
      0: changeInfo(0, 4 * MiB, [
        [0, 65536],
        [65536, 65536],
        [3 * MiB, MiB],
      ]),
      [4 * MiB]: changeInfo(4 * MiB, 4 * MiB, [[4 * MiB, 4096]]),
      [8 * MiB]: changeInfo(8 * MiB, 2 * MiB, []),
    };
    const seen: string[] = [];
    const client = await connect({
      QueryChangedDiskAreas: (call) => {
        seen.push(
          [
            textOf(call.body, '_this'),
            textOf(call.body, 'snapshot'),
            textOf(call.body, 'deviceKey'),
            textOf(call.body, 'startOffset'),
            textOf(call.body, 'changeId'),
          ].join(' '),
        );
        return windows[Number(textOf(call.body, 'startOffset'))] ?? changeInfo(0, 0, []);
      },
    });
    const changeId = '52 de c0 2b 7a 3b 1a 9d-2a 1f 5e 26 4b 38 9c 88/17';
    const result = await client.queryChangedDiskAreas({
      vm,
      snapshot,
      deviceKey: 2000,
      changeId,
      capacityBytes: 10 * MiB,
    });
    assert.deepEqual(seen, [
      `vm-42 snapshot-77 2000 0 ${changeId}`,
      `vm-42 snapshot-77 2000 ${4 * MiB} ${changeId}`,
      `vm-42 snapshot-77 2000 ${8 * MiB} ${changeId}`,
    ]);
    assert.deepEqual(result.areas, [
      { start: 0, length: 131072 },
      { start: 3 * MiB, length: MiB + 4096 },
    ]);
    assert.equal(result.totalBytes, 131072 + MiB + 4096);
    assert.equal(result.calls, 3);
  },
);

test('a window that does not advance stops the loop instead of spinning', { timeout: 120_000 }, async () => {
  let calls = 0;
  const client = await connect({
    QueryChangedDiskAreas: () => {
      calls += 1;
      return changeInfo(0, 0, []);
    },
  });
  const result = await client.queryChangedDiskAreas({
    vm,
    snapshot,
    deviceKey: 2000,
    changeId: '*',
    capacityBytes: MiB,
  });
  assert.equal(calls, 1);
  assert.deepEqual(result.areas, []);
});

test('a change id vCenter rejects is FileFaultError', { timeout: 120_000 }, async () => {
  const client = await connect({
    QueryChangedDiskAreas: () =>
      soapFault(
        'Error caused by file /vmfs/volumes/5f1e/sql-01/sql-01.vmdk',
        '<FileFaultFault xmlns="urn:vim25" xsi:type="FileFault"><file>/vmfs/volumes/5f1e/sql-01/sql-01.vmdk</file></FileFaultFault>',
      ),
  });
  await assert.rejects(
    client.queryChangedDiskAreas({ vm, snapshot, deviceKey: 2000, changeId: 'stale/3', capacityBytes: MiB }),
    FileFaultError,
  );
});

function taskInfo(state: string, extra = ''): string {
  return soapResponse(
    'RetrievePropertiesEx',
    `<returnval><objects><obj type="Task">task-9</obj><propSet><name>info</name><val xsi:type="TaskInfo">` +
      `<key>task-9</key><task type="Task">task-9</task><descriptionId>VirtualMachine.createSnapshot</descriptionId>` +
      `<state>${state}</state>${extra}</val></propSet></objects></returnval>`,
  );
}

test(
  'tasks: progress is reported while polling with backoff; the result is returned',
  { timeout: 120_000 },
  async () => {
    const clock = new ManualClock();
    const states = [
      taskInfo('queued'),
      taskInfo('running', '<progress>40</progress>'),
      taskInfo('running', '<progress>40</progress>'),
      taskInfo(
        'success',
        '<result xsi:type="ManagedObjectReference" type="VirtualMachineSnapshot">snapshot-78</result>',
      ),
    ];
    const client = await connect(
      {
        CreateSnapshot_Task: () => soapResponse('CreateSnapshot_Task', '<returnval type="Task">task-9</returnval>'),
        RetrievePropertiesEx: (call) => {
          assert.deepEqual(requestedObject(call), { type: 'Task', value: 'task-9' });
          return states.shift() ?? taskInfo('error');
        },
      },
      clock,
    );
    const progress: TaskProgress[] = [];
    const started = clock.now().getTime();
    const snap = await driveClock(
      clock,
      client.createSnapshot(vm, { name: 'mk' }, { onProgress: (p) => progress.push(p), initialDelayMs: 100 }),
      50,
    );
    assert.deepEqual(snap, { type: 'VirtualMachineSnapshot', value: 'snapshot-78' });
    assert.deepEqual(
      progress.map((p) => [p.state, p.progress]),
      [
        ['queued', undefined],
        ['running', 40],
        ['success', undefined],
      ],
    );
    // Three sleeps with backoff: 100 + 150 + 225 ms.
    assert.equal(clock.now().getTime() - started, 500);
  },
);

test(
  'tasks: an error state throws the typed fault; a task that never ends times out',
  { timeout: 120_000 },
  async () => {
    const failing = await connect({
      PowerOnVM_Task: () => soapResponse('PowerOnVM_Task', '<returnval type="Task">task-9</returnval>'),
      RetrievePropertiesEx: () =>
        taskInfo(
          'error',
          '<error><fault xsi:type="InvalidPowerState"><requestedState>poweredOn</requestedState>' +
            '<existingState>poweredOn</existingState></fault><localizedMessage>already on</localizedMessage></error>',
        ),
    });
    await assert.rejects(failing.powerOn(vm), InvalidStateError);

    const clock = new ManualClock();
    const stuck = await connect(
      {
        PowerOnVM_Task: () => soapResponse('PowerOnVM_Task', '<returnval type="Task">task-9</returnval>'),
        RetrievePropertiesEx: () => taskInfo('running', '<progress>10</progress>'),
      },
      clock,
    );
    await assert.rejects(
      driveClock(clock, stuck.powerOn(vm, { timeoutMs: 60_000 }), 2_000),
      (error: unknown) => isMigrateKitError(error) && error.code === 'MKE_UPSTREAM_TIMEOUT',
    );
    assert.ok(clock.now().getTime() - new Date('2026-01-01T00:00:00.000Z').getTime() >= 60_000);
  },
);

function powerState(state: string): string {
  return soapResponse(
    'RetrievePropertiesEx',
    `<returnval><objects><obj type="VirtualMachine">vm-42</obj><propSet><name>runtime.powerState</name>` +
      `<val xsi:type="VirtualMachinePowerState">${state}</val></propSet></objects></returnval>`,
  );
}

test(
  'shutdown: a guest that ignores ShutdownGuest is powered off hard after the timeout',
  { timeout: 120_000 },
  async () => {
    const clock = new ManualClock();
    let state = 'poweredOn';
    const methods: string[] = [];
    const client = await connect(
      {
        ShutdownGuest: () => {
          methods.push('ShutdownGuest');
          return soapResponse('ShutdownGuest', '');
        },
        PowerOffVM_Task: () => {
          methods.push('PowerOffVM_Task');
          state = 'poweredOff';
          return soapResponse('PowerOffVM_Task', '<returnval type="Task">task-9</returnval>');
        },
        RetrievePropertiesEx: (call) =>
          requestedObject(call)?.type === 'Task' ? taskInfo('success') : powerState(state),
      },
      clock,
    );
    const outcome = await driveClock(clock, client.shutdown(vm, { timeoutMs: 300_000, pollMs: 10_000 }), 10_000);
    assert.equal(outcome, 'hard-power-off');
    assert.deepEqual(methods, ['ShutdownGuest', 'PowerOffVM_Task']);
    assert.ok(clock.now().getTime() - new Date('2026-01-01T00:00:00.000Z').getTime() >= 300_000);
  },
);

test(
  'shutdown: a guest that stops in time is a clean shutdown; no tools means an immediate power-off',
  { timeout: 120_000 },
  async () => {
    const clock = new ManualClock();
    let polls = 0;
    const clean = await connect(
      {
        ShutdownGuest: () => soapResponse('ShutdownGuest', ''),
        RetrievePropertiesEx: () => powerState(++polls >= 3 ? 'poweredOff' : 'poweredOn'),
      },
      clock,
    );
    assert.equal(
      await driveClock(clock, clean.shutdown(vm, { timeoutMs: 300_000, pollMs: 5_000 }), 5_000),
      'guest-shutdown',
    );

    let poweredOff = false;
    const noTools = await connect({
      ShutdownGuest: () =>
        soapFault(
          'VMware Tools is not running',
          '<ToolsUnavailableFault xmlns="urn:vim25" xsi:type="ToolsUnavailable"/>',
        ),
      PowerOffVM_Task: () => {
        poweredOff = true;
        return soapResponse('PowerOffVM_Task', '<returnval type="Task">task-9</returnval>');
      },
      RetrievePropertiesEx: (call) =>
        requestedObject(call)?.type === 'Task' ? taskInfo('success') : powerState('poweredOn'),
    });
    assert.equal(await noTools.shutdown(vm), 'hard-power-off');
    assert.equal(poweredOff, true);
  },
);
