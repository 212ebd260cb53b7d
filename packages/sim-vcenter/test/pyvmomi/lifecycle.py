"""A VM's life with VMware's Python SDK: CBT, snapshots, changed areas, revert, power and guest shutdown.

Usage: lifecycle.py <vm name> <vm name without tools running>. Every task is awaited with pyVim's
WaitForTask (PropertyCollector.WaitForUpdates). Prints one JSON object; the node test asserts on it and
on the simulator's state.
"""
import sys
import time

from pyVim.task import WaitForTask

from simconn import Disconnect, all_vms, connect, emit, fault_name, vim


def find_vm(si, name):
    return next(vm for vm in all_vms(si) if vm.name == name)


def disk_keys(vm):
    return [d.key for d in vm.config.hardware.device if isinstance(d, vim.vm.device.VirtualDisk)]


def changed_areas(vm, snapshot, key, change_id):
    info = vm.QueryChangedDiskAreas(snapshot=snapshot, deviceKey=key, startOffset=0, changeId=change_id)
    return [[a.start, a.length] for a in info.changedArea or []]


def snapshot_change_id(snapshot, key):
    disk = next(d for d in snapshot.config.hardware.device if d.key == key)
    return disk.backing.changeId


def expect_fault(fn):
    try:
        fn()
    except vim.fault.VimFault as err:
        return fault_name(err)
    except Exception as err:  # vmodl faults (InvalidArgument) are not VimFaults
        return fault_name(err)
    return None


def cbt_and_snapshots(vm):
    out = {}
    spec = vim.vm.ConfigSpec(changeTrackingEnabled=True)
    out["reconfigure"] = WaitForTask(vm.ReconfigVM_Task(spec))
    out["cbt"] = vm.config.changeTrackingEnabled
    key = disk_keys(vm)[0]
    WaitForTask(vm.CreateSnapshot_Task(name="base", description="pyvmomi", memory=False, quiesce=False))
    base = vm.snapshot.currentSnapshot
    out["allAreas"] = changed_areas(vm, base, key, "*")
    base_id = snapshot_change_id(base, key)
    # The node test writes into the guest disk between the two snapshots (it waits on this line).
    sys.stdout.write("WRITE-NOW\n")
    sys.stdout.flush()
    sys.stdin.readline()
    WaitForTask(vm.CreateSnapshot_Task(name="after-write", description="", memory=False, quiesce=False))
    after = vm.snapshot.currentSnapshot
    out["delta"] = changed_areas(vm, after, key, base_id)
    out["snapshotTree"] = [s.name for s in vm.snapshot.rootSnapshotList] + [
        c.name for c in vm.snapshot.rootSnapshotList[0].childSnapshotList]
    out["revert"] = WaitForTask(base.RevertToSnapshot_Task())
    out["currentAfterRevert"] = vm.snapshot.currentSnapshot._moId == base._moId
    out["powerAfterRevert"] = vm.runtime.powerState
    WaitForTask(after.RemoveSnapshot_Task(removeChildren=False))
    WaitForTask(base.RemoveSnapshot_Task(removeChildren=True))
    out["snapshotsLeft"] = vm.snapshot is not None
    return out


def power(vm, no_tools_vm):
    out = {}
    if vm.runtime.powerState != "poweredOn":
        WaitForTask(vm.PowerOnVM_Task())
    out["on"] = vm.summary.runtime.powerState
    out["powerOnTwice"] = expect_fault(lambda: WaitForTask(vm.PowerOnVM_Task()))
    vm.ShutdownGuest()
    out["guestStateWhileShuttingDown"] = vm.guest.guestState
    deadline = time.time() + 20
    while vm.runtime.powerState != "poweredOff" and time.time() < deadline:
        time.sleep(0.05)
    out["afterShutdown"] = vm.runtime.powerState
    out["summaryAfterShutdown"] = vm.summary.runtime.powerState
    out["shutdownWhenOff"] = expect_fault(vm.ShutdownGuest)
    out["powerOffWhenOff"] = expect_fault(lambda: WaitForTask(vm.PowerOffVM_Task()))
    WaitForTask(vm.PowerOnVM_Task())
    WaitForTask(vm.PowerOffVM_Task())
    out["afterPowerOff"] = vm.runtime.powerState
    WaitForTask(vm.PowerOnVM_Task())
    out["afterPowerOn"] = vm.runtime.powerState
    if no_tools_vm.runtime.powerState != "poweredOn":
        WaitForTask(no_tools_vm.PowerOnVM_Task())
    out["shutdownWithoutTools"] = expect_fault(no_tools_vm.ShutdownGuest)
    return out


def main():
    si = connect()
    try:
        vm = find_vm(si, sys.argv[1])
        no_tools = find_vm(si, sys.argv[2])
        out = cbt_and_snapshots(vm)
        out.update(power(vm, no_tools))
    finally:
        Disconnect(si)
    emit(out)


if __name__ == "__main__":
    main()
