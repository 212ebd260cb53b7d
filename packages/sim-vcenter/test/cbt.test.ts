import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes, randomInt } from 'node:crypto';
import type { VCenterSimulator } from '../src/index';
import { child, children, childText } from '../src/xml-node';
import type { XNode } from '../src/xml-node';
import { MiB, startTestSimulator, TestSoapClient } from './fixtures';

// CBT end to end over SOAP: guest writes, snapshots, QueryChangedDiskAreas paging, frozen snapshot content.

const DISK = 2000;
const SIZE = 8 * MiB;
const BLOCK = 4096;

let sim: VCenterSimulator;
let cleanup: () => Promise<void>;
let soap: TestSoapClient;
let vmRef: { type: string; value: string };

before(async () => {
  // Few areas per answer, so the test has to page with startOffset like a real client.
  ({ sim, cleanup } = await startTestSimulator({ maxChangedAreas: 3 }));
  soap = new TestSoapClient(sim);
  await soap.login(sim);
  const vm = sim.engine.findVm('lin-01');
  assert.ok(vm);
  vmRef = { type: 'VirtualMachine', value: vm.ref.value };
});

after(async () => {
  await cleanup();
});

async function snapshot(name: string): Promise<{ ref: string; changeId: string; changeIds: Map<number, string> }> {
  const info = await soap.runTask(
    'CreateSnapshot_Task',
    vmRef,
    `<name>${name}</name><memory>false</memory><quiesce>false</quiesce>`,
  );
  assert.equal(childText(info, 'state'), 'success');
  const ref = childText(info, 'result') ?? '';
  const props = await soap.call(
    'RetrieveProperties',
    { type: 'PropertyCollector', value: 'propertyCollector' },
    `<specSet><propSet><type>VirtualMachineSnapshot</type><pathSet>config.hardware.device</pathSet></propSet><objectSet><obj type="VirtualMachineSnapshot">${ref}</obj></objectSet></specSet>`,
  );
  const devices = children(child(child(props.returnval, 'propSet'), 'val'), 'VirtualDevice');
  const changeIds = new Map<number, string>();
  for (const d of devices) {
    const id = childText(child(d, 'backing'), 'changeId');
    if (id) changeIds.set(Number(childText(d, 'key')), id);
  }
  const changeId = changeIds.get(DISK);
  assert.ok(changeId, 'the snapshot config carries the disk change id');
  assert.notEqual(changeIds.get(2001), changeId, 'each disk has its own change id');
  return { ref, changeId, changeIds };
}

interface Areas {
  areas: Array<[number, number]>;
  calls: number;
}

/** Pages through QueryChangedDiskAreas from offset 0 to the end of the disk. */
async function changedAreas(snap: string, changeId: string, key = DISK): Promise<Areas> {
  const out: Array<[number, number]> = [];
  let offset = 0;
  let calls = 0;
  const capacity = key === DISK ? SIZE : 4 * MiB;
  while (offset < capacity) {
    const r = await soap.call(
      'QueryChangedDiskAreas',
      vmRef,
      `<snapshot type="VirtualMachineSnapshot">${snap}</snapshot><deviceKey>${key}</deviceKey><startOffset>${offset}</startOffset><changeId>${changeId}</changeId>`,
    );
    assert.equal(r.fault, undefined, r.fault?.message);
    calls += 1;
    const info = r.returnval as XNode;
    assert.equal(Number(childText(info, 'startOffset')), offset);
    for (const a of children(info, 'changedArea'))
      out.push([Number(childText(a, 'start')), Number(childText(a, 'length'))]);
    const length = Number(childText(info, 'length'));
    assert.ok(length > 0);
    offset += length;
  }
  assert.equal(offset, capacity, 'pages cover the disk exactly');
  return { areas: out, calls };
}

/** Expected merged areas from a block bitmap: an implementation independent of ExtentSet. */
function mergedFromBitmap(bits: boolean[]): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (let i = 0; i < bits.length; i++) {
    if (!bits[i]) continue;
    const last = out[out.length - 1];
    if (last && last[0] + last[1] === i * BLOCK) last[1] += BLOCK;
    else out.push([i * BLOCK, BLOCK]);
  }
  return out;
}

async function randomWrites(count: number, bits: boolean[]): Promise<void> {
  for (let i = 0; i < count; i++) {
    const blocks = 1 + randomInt(8);
    const first = randomInt(SIZE / BLOCK - blocks);
    await sim.writeGuest('lin-01', DISK, first * BLOCK, randomBytes(blocks * BLOCK));
    for (let b = first; b < first + blocks; b++) bits[b] = true;
  }
}

async function queryFault(changeId: string, snap: string): Promise<string | undefined> {
  const r = await soap.call(
    'QueryChangedDiskAreas',
    vmRef,
    `<snapshot type="VirtualMachineSnapshot">${snap}</snapshot><deviceKey>${DISK}</deviceKey><startOffset>0</startOffset><changeId>${changeId}</changeId>`,
  );
  return r.fault?.type;
}

test(
  'CBT: changed areas since the previous change id are exactly the guest writes, merged',
  { timeout: 120_000 },
  async () => {
    const noCbt = await snapshot('before-cbt').catch(() => undefined);
    assert.equal(noCbt, undefined, 'no change id while CBT is off');
    const withoutCbt = sim.engine.findVm('lin-01')?.snapshots[0];
    assert.ok(withoutCbt);
    assert.equal(await queryFault('*', withoutCbt.ref.value), 'FileFault', 'CBT off gives FileFault');
    await soap.runTask(
      'RemoveSnapshot_Task',
      { type: 'VirtualMachineSnapshot', value: withoutCbt.ref.value },
      '<removeChildren>false</removeChildren>',
    );

    const reconfig = await soap.runTask(
      'ReconfigVM_Task',
      vmRef,
      '<spec><changeTrackingEnabled>true</changeTrackingEnabled></spec>',
    );
    assert.equal(childText(reconfig, 'state'), 'success');

    const s1 = await snapshot('s1');
    assert.match(s1.changeId, /^[0-9a-f]{2}( [0-9a-f]{2}){7}-[0-9a-f]{2}( [0-9a-f]{2}){7}\/\d+$/);
    // "*" answers every allocated area: the seeded data (2 MiB in 1 MiB chunks at 0 and 4 MiB).
    const all = await changedAreas(s1.ref, '*');
    assert.deepEqual(all.areas, [
      [0, MiB],
      [4 * MiB, MiB],
    ]);
    const atS1 = await sim.readDisk('lin-01', DISK, 0, SIZE);

    const bits: boolean[] = new Array<boolean>(SIZE / BLOCK).fill(false);
    await randomWrites(40, bits);
    const atS2 = await sim.readDisk('lin-01', DISK, 0, SIZE);
    const s2 = await snapshot('s2');
    assert.notEqual(s2.changeId, s1.changeId);

    const changed = await changedAreas(s2.ref, s1.changeId);
    assert.deepEqual(changed.areas, mergedFromBitmap(bits));
    assert.ok(changed.calls > 1 || changed.areas.length <= 3, 'more areas than one answer holds are paged');
    assert.deepEqual(
      (await changedAreas(s2.ref, s1.changeIds.get(2001) ?? '', 2001)).areas,
      [],
      'the other disk did not change',
    );
    assert.deepEqual((await changedAreas(s2.ref, s2.changeId)).areas, [], 'nothing changed since s2 at s2');

    // Writes after s2 change the live disk, not what the snapshots show.
    const later: boolean[] = new Array<boolean>(SIZE / BLOCK).fill(false);
    await randomWrites(40, later);
    assert.notDeepEqual(await sim.readDisk('lin-01', DISK, 0, SIZE), atS2);
    const r2 = sim.snapshotReader('lin-01', 's2', DISK);
    assert.ok((await r2.read(0, SIZE)).equals(atS2), 's2 reads as the disk at s2');
    const r1 = sim.snapshotReader('lin-01', 's1', DISK);
    assert.ok((await r1.read(0, SIZE)).equals(atS1), 's1 reads as the disk at s1');
    const partial = await r2.read(3 * MiB + 100, 5000);
    assert.ok(partial.equals(atS2.subarray(3 * MiB + 100, 3 * MiB + 5100)), 'unaligned reads too');

    // Block status of a snapshot reports its allocation then.
    const extents = await r1.blockStatus(0, SIZE);
    assert.deepEqual(
      extents.filter((e) => !e.hole).map((e) => [e.offset, e.length]),
      [
        [0, MiB],
        [4 * MiB, MiB],
      ],
    );

    // Removing the newer snapshot keeps the older one intact (its saved blocks move down).
    await soap.runTask(
      'RemoveSnapshot_Task',
      { type: 'VirtualMachineSnapshot', value: s2.ref },
      '<removeChildren>false</removeChildren>',
    );
    assert.equal(r2.valid, false);
    assert.ok((await r1.read(0, SIZE)).equals(atS1), 's1 still reads as the disk at s1');
    await randomWrites(10, later);
    assert.ok((await r1.read(0, SIZE)).equals(atS1), 'and keeps doing so after more writes');

    // The change id of s2 still marks a point: changes since it are the writes after s2.
    const s3 = await snapshot('s3');
    const since2 = await changedAreas(s3.ref, s2.changeId);
    assert.deepEqual(since2.areas, mergedFromBitmap(later));
  },
);

test('CBT: unknown, stale and malformed change ids give the real faults', { timeout: 120_000 }, async () => {
  const s = await snapshot('faults');
  const [uuid] = s.changeId.split('/');
  assert.equal(await queryFault('52 00 00 00 00 00 00 00-00 00 00 00 00 00 00 00/1', s.ref), 'FileFault');
  assert.equal(await queryFault(`${uuid}/999`, s.ref), 'FileFault', 'a change id from the future');
  assert.equal(await queryFault('garbage', s.ref), 'InvalidArgument');

  // Turning CBT off and on starts a new tracking session: every earlier change id is stale.
  await soap.runTask('ReconfigVM_Task', vmRef, '<spec><changeTrackingEnabled>false</changeTrackingEnabled></spec>');
  assert.equal(await queryFault(s.changeId, s.ref), 'FileFault');
  await soap.runTask('ReconfigVM_Task', vmRef, '<spec><changeTrackingEnabled>true</changeTrackingEnabled></spec>');
  const fresh = await snapshot('fresh');
  assert.equal(await queryFault(s.changeId, fresh.ref), 'FileFault');
  assert.equal(await queryFault('*', fresh.ref), undefined);

  const badDisk = await soap.call(
    'QueryChangedDiskAreas',
    vmRef,
    `<snapshot type="VirtualMachineSnapshot">${fresh.ref}</snapshot><deviceKey>2999</deviceKey><startOffset>0</startOffset><changeId>*</changeId>`,
  );
  assert.equal(badDisk.fault?.type, 'InvalidArgument');
  const badSnap = await soap.call(
    'QueryChangedDiskAreas',
    vmRef,
    `<snapshot type="VirtualMachineSnapshot">snapshot-99999</snapshot><deviceKey>${DISK}</deviceKey><startOffset>0</startOffset><changeId>*</changeId>`,
  );
  assert.equal(badSnap.fault?.type, 'ManagedObjectNotFound');
  const live = await soap.call(
    'QueryChangedDiskAreas',
    vmRef,
    `<deviceKey>${DISK}</deviceKey><startOffset>0</startOffset><changeId>*</changeId>`,
  );
  assert.equal(live.fault?.type, 'InvalidState', 'a powered-on VM needs a snapshot');
});
