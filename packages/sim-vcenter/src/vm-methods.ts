import type { MethodRequest } from './collector-methods';
import type { VCenterEngine } from './vcenter-engine';
import type { SimVm } from './sim-vm';
import {
  createSnapshot,
  findSnapshot,
  powerOff,
  powerOn,
  queryChangedDiskAreas,
  reconfigure,
  restart,
  removeSnapshot,
  revertToSnapshot,
  shutdownGuest,
} from './vm-operations';
import { faults, VimFault } from './vim-fault';
import type { Mor, VimValue } from './vim-value';
import { child, childBool, childNumber, childText, toMor } from './xml-node';

// VirtualMachine and VirtualMachineSnapshot methods: parse the request, run the operation (as a Task where
// vim25 says so).

function vmOf(req: MethodRequest): SimVm {
  return req.engine.vmByRef(req.self);
}

function task(
  req: MethodRequest,
  vm: SimVm,
  method: string,
  descriptionId: string,
  work: () => Promise<VimValue | undefined>,
): Mor {
  return req.engine.runTask(vm, method, descriptionId, req.userName, work).ref;
}

function snapshotTask(engine: VCenterEngine, req: MethodRequest, removeChildren: boolean): Mor {
  const snap = findSnapshot(engine, req.self);
  return engine.runTask(snap.vm, 'RemoveSnapshot_Task', 'vm.Snapshot.remove', req.userName, async () => {
    await removeSnapshot(engine, snap, removeChildren);
    return undefined;
  }).ref;
}

export const vmMethods: Record<string, (req: MethodRequest) => Promise<VimValue | undefined> | VimValue | undefined> = {
  PowerOnVM_Task: (req) => {
    const vm = vmOf(req);
    return task(req, vm, 'PowerOnVM_Task', 'VirtualMachine.powerOn', () => {
      powerOn(req.engine, vm);
      return Promise.resolve(undefined);
    });
  },
  PowerOffVM_Task: (req) => {
    const vm = vmOf(req);
    return task(req, vm, 'PowerOffVM_Task', 'VirtualMachine.powerOff', () => {
      powerOff(req.engine, vm);
      return Promise.resolve(undefined);
    });
  },
  ShutdownGuest: (req) => {
    shutdownGuest(req.engine, vmOf(req));
    return undefined;
  },
  RebootGuest: (req) => {
    restart(req.engine, vmOf(req), true);
    return undefined;
  },
  ResetVM_Task: (req) => {
    const vm = vmOf(req);
    return task(req, vm, 'ResetVM_Task', 'VirtualMachine.reset', () => {
      restart(req.engine, vm, false);
      return Promise.resolve(undefined);
    });
  },
  ReconfigVM_Task: (req) => {
    const vm = vmOf(req);
    const spec = child(req.body, 'spec');
    const annotation = childText(spec, 'annotation');
    return task(req, vm, 'ReconfigVM_Task', 'VirtualMachine.reconfigure', () => {
      reconfigure(req.engine, vm, {
        changeTrackingEnabled: childBool(spec, 'changeTrackingEnabled'),
        numCPUs: childNumber(spec, 'numCPUs'),
        memoryMB: childNumber(spec, 'memoryMB'),
        annotation,
      });
      return Promise.resolve(undefined);
    });
  },
  CreateSnapshot_Task: (req) => {
    const vm = vmOf(req);
    const name = childText(req.body, 'name');
    if (!name) throw faults.invalidArgument('name');
    const description = childText(req.body, 'description') ?? '';
    const quiesce = childBool(req.body, 'quiesce') ?? false;
    const memory = childBool(req.body, 'memory') ?? false;
    return task(
      req,
      vm,
      'CreateSnapshot_Task',
      'VirtualMachine.createSnapshot',
      async () => (await createSnapshot(req.engine, vm, name, description, quiesce, memory)).ref,
    );
  },
  RevertToSnapshot_Task: (req) => {
    const snap = findSnapshot(req.engine, req.self);
    const suppress = childBool(req.body, 'suppressPowerOn') ?? false;
    return task(req, snap.vm, 'RevertToSnapshot_Task', 'vm.Snapshot.revert', async () => {
      await revertToSnapshot(req.engine, snap, suppress);
      return undefined;
    });
  },
  RevertToCurrentSnapshot_Task: (req) => {
    const vm = vmOf(req);
    const suppress = childBool(req.body, 'suppressPowerOn') ?? false;
    return task(req, vm, 'RevertToCurrentSnapshot_Task', 'VirtualMachine.revertToCurrentSnapshot', async () => {
      if (!vm.currentSnapshot) throw new VimFault('NotFound', 'The virtual machine has no current snapshot.');
      await revertToSnapshot(req.engine, vm.currentSnapshot, suppress);
      return undefined;
    });
  },
  RemoveSnapshot_Task: (req) => snapshotTask(req.engine, req, childBool(req.body, 'removeChildren') ?? false),
  RemoveAllSnapshots_Task: (req) => {
    const vm = vmOf(req);
    return task(req, vm, 'RemoveAllSnapshots_Task', 'VirtualMachine.removeAllSnapshots', async () => {
      for (const root of vm.snapshots.filter((s) => s.parent === undefined))
        await removeSnapshot(req.engine, root, true);
      return undefined;
    });
  },
  QueryChangedDiskAreas: (req) => {
    const vm = vmOf(req);
    const snapRef = toMor(child(req.body, 'snapshot'));
    const deviceKey = childNumber(req.body, 'deviceKey');
    const startOffset = childNumber(req.body, 'startOffset');
    const changeId = childText(req.body, 'changeId');
    if (deviceKey === undefined) throw faults.invalidArgument('deviceKey');
    if (startOffset === undefined) throw faults.invalidArgument('startOffset');
    if (changeId === undefined || changeId === '') throw faults.invalidArgument('changeId');
    return queryChangedDiskAreas(req.engine, vm, {
      snapshot: snapRef ? findSnapshot(req.engine, snapRef) : undefined,
      deviceKey,
      startOffset,
      changeId,
    });
  },
};
