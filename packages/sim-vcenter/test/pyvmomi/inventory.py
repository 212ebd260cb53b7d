"""Reads the whole estate with VMware's Python SDK: the properties clients read, traversal specs and paging.

Prints one JSON object; the node test asserts on it. Any parse failure of the SDK (a property its API
version does not know) raises and fails the run.
"""
from pyVmomi.VmomiSupport import GetPropertyInfo, GetVersionNamespace, IsChildVersion

from simconn import Disconnect, all_vms, connect, emit, fault_name, negotiated_version, vim, vmodl


def vm_facts(vm):
    config, guest, summary, runtime = vm.config, vm.guest, vm.summary, vm.runtime
    disks = [d for d in config.hardware.device if isinstance(d, vim.vm.device.VirtualDisk)]
    return {
        "name": config.name,
        "uuid": config.uuid,
        "guestId": config.guestId,
        "firmware": config.firmware,
        "numCPU": config.hardware.numCPU,
        "memoryMB": config.hardware.memoryMB,
        "cbt": config.changeTrackingEnabled,
        "disks": [[d.key, d.capacityInBytes, d.backing.fileName] for d in disks],
        "toolsRunningStatus": guest.toolsRunningStatus,
        "ipAddress": guest.ipAddress,
        "summaryPowerState": summary.runtime.powerState,
        "summaryNumCpu": summary.config.numCpu,
        "summaryToolsStatus": summary.guest.toolsStatus,
        "powerState": runtime.powerState,
        "host": runtime.host.name,
    }


def traversal_and_paging(si):
    """Every VM's name and power state through Folder/Datacenter traversal specs, two objects per page."""
    content = si.RetrieveContent()
    pc = content.propertyCollector
    dc_to_vm = vmodl.query.PropertyCollector.TraversalSpec(
        name="dcToVmFolder", type=vim.Datacenter, path="vmFolder", skip=False,
        selectSet=[vmodl.query.PropertyCollector.SelectionSpec(name="folderChildren")],
    )
    folder_children = vmodl.query.PropertyCollector.TraversalSpec(
        name="folderChildren", type=vim.Folder, path="childEntity", skip=False,
        selectSet=[vmodl.query.PropertyCollector.SelectionSpec(name="folderChildren"),
                   vmodl.query.PropertyCollector.SelectionSpec(name="dcToVmFolder")],
    )
    spec = vmodl.query.PropertyCollector.FilterSpec(
        objectSet=[vmodl.query.PropertyCollector.ObjectSpec(
            obj=content.rootFolder, skip=True, selectSet=[folder_children, dc_to_vm])],
        propSet=[vmodl.query.PropertyCollector.PropertySpec(
            type=vim.VirtualMachine, pathSet=["name", "summary.runtime.powerState"])],
    )
    pages = []
    result = pc.RetrievePropertiesEx([spec], vmodl.query.PropertyCollector.RetrieveOptions(maxObjects=1))
    while result is not None:
        pages.append(sorted(
            (o.obj._moId, {p.name: p.val for p in o.propSet}["name"],
             {p.name: p.val for p in o.propSet}["summary.runtime.powerState"])
            for o in result.objects))
        result = pc.ContinueRetrievePropertiesEx(result.token) if result.token else None
    return pages


def managers(si):
    """Every manager named in ServiceContent answers its properties."""
    c = si.RetrieveContent()
    return {
        "customFields": len(c.customFieldsManager.field),
        "roles": sorted(r.name for r in c.authorizationManager.roleList),
        "domains": list(c.userDirectory.domainList),
        "licenseSource": type(c.licenseManager.source).__name__,
        "setting": sorted(o.key for o in c.setting.setting),
        "eventCategories": sorted({e.category for e in c.eventManager.description.eventInfo}),
        "recentTasks": len(c.taskManager.recentTask),
        "fileManager": c.fileManager._moId,
        "virtualDiskManager": c.virtualDiskManager._moId,
        "dvSwitchManager": c.dvSwitchManager._moId,
    }


def newer_properties(obj, version, path=""):
    """Properties set on a decoded data object that `version` does not define, by the SDK's own metadata."""
    found = []
    if isinstance(obj, list):
        for i, item in enumerate(obj):
            found += newer_properties(item, version, "%s[%d]" % (path, i))
        return found
    if not isinstance(obj, vmodl.DynamicData):
        return found
    for prop in obj._GetPropertyList():
        value = getattr(obj, prop.name, None)
        if value is None or (isinstance(value, list) and not value) or prop.name == "dynamicProperty":
            continue
        if not IsChildVersion(version, GetPropertyInfo(type(obj), prop.name).version):
            found.append("%s.%s" % (path, prop.name))
        found += newer_properties(value, version, "%s.%s" % (path, prop.name))
    return found


def read_pinned(preferred):
    """Reads every VM in an older API version and lists the properties that version would not have."""
    si = connect(preferred)
    try:
        version = si._stub.version
        bad = []
        for vm in all_vms(si):
            for name in ("config", "guest", "summary", "runtime"):
                bad += newer_properties(getattr(vm, name), version, vm.name + "." + name)
        return {"version": negotiated_version(si), "newerProperties": bad}
    finally:
        Disconnect(si)


def main():
    si = connect()
    try:
        out = {
            "version": negotiated_version(si),
            "about": si.RetrieveContent().about.apiVersion,
            "vms": sorted((vm_facts(vm) for vm in all_vms(si)), key=lambda v: v["name"]),
            "pages": traversal_and_paging(si),
            "managers": managers(si),
        }
        try:
            si.RetrieveContent().propertyCollector.ContinueRetrievePropertiesEx("no-such-token")
            out["badToken"] = None
        except vmodl.fault.InvalidArgument as err:
            out["badToken"] = fault_name(err)
    finally:
        Disconnect(si)
    out["pinned65"] = read_pinned("vim.version.version11")
    out["pinned67"] = read_pinned("vim.version.version12")
    emit(out)


if __name__ == "__main__":
    main()
