"""Drives the CloudStack simulator with Apache libcloud's CloudStack driver (Debian python3-libcloud).

Usage: libcloud_scenarios.py <scenario>, with CLOUDSTACK_URL, CLOUDSTACK_KEY and CLOUDSTACK_SECRET set.
Each scenario uses only libcloud's public driver API and prints one JSON object describing what libcloud
returned; libcloud.peer.test.ts asserts on it. A libcloud exception fails the run (exit status 1).
"""

import json
import os
import sys

from libcloud.compute.providers import get_driver
from libcloud.compute.types import NodeState, Provider


def driver():
    cls = get_driver(Provider.CLOUDSTACK)
    drv = cls(
        key=os.environ["CLOUDSTACK_KEY"],
        secret=os.environ["CLOUDSTACK_SECRET"],
        url=os.environ["CLOUDSTACK_URL"],
        secure=False,
    )
    # Jobs finish in milliseconds on the simulator; libcloud polls once a second by default.
    drv.connection.poll_interval = 0.05
    return drv


def catalogue(drv):
    locations = drv.list_locations()
    zone = next(loc for loc in locations if loc.name == "Zone-DC1")
    return {
        "locations": [{"id": loc.id, "name": loc.name} for loc in locations],
        "sizes": [{"id": s.id, "name": s.name, "ram": s.ram, "cpu": s.extra["cpu"]} for s in drv.list_sizes()],
        "images": [{"id": i.id, "name": i.name, "os": i.extra["os"]} for i in drv.list_images(location=zone)],
        "networks": [
            {"id": n.id, "name": n.name, "zoneid": n.zoneid, "extra": n.extra} for n in drv.ex_list_networks()
        ],
        "diskOfferings": [
            {"id": d.id, "name": d.name, "size": d.size, "customizable": d.customizable}
            for d in drv.ex_list_disk_offerings()
        ],
    }


def find(items, name):
    return next(item for item in items if item.name == name)


def node_state(drv, node_id):
    nodes = [n for n in drv.list_nodes() if n.id == node_id]
    return NodeState.tostring(nodes[0].state) if nodes else None


def nodes(drv):
    zone = find(drv.list_locations(), "Zone-DC1")
    size = find(drv.list_sizes(), "Small Instance")
    image = find(drv.list_images(location=zone), "MigrateKit Placeholder (KVM)")
    networks = drv.ex_list_networks()
    chosen = [find(networks, "Prod-Web-VLAN100"), find(networks, "Lab-L2-Test")]
    node = drv.create_node(
        name="libcloud-node",
        size=size,
        image=image,
        location=zone,
        networks=chosen,
        ex_displayname="libcloud node",
        ex_start_vm=True,
    )
    out = {
        "created": {
            "id": node.id,
            "name": node.name,
            "state": NodeState.tostring(node.state),
            "private_ips": node.private_ips,
        },
        "listed": node_state(drv, node.id),
    }
    listed = [n for n in drv.list_nodes() if n.id == node.id][0]
    out["listedExtra"] = {
        "ip_addresses": listed.extra["ip_addresses"],
        "port_forwarding_rules": listed.extra["port_forwarding_rules"],
    }
    out["stop"] = drv.ex_stop(node)
    out["afterStop"] = node_state(drv, node.id)
    out["start"] = drv.ex_start(node)
    out["reboot"] = drv.reboot_node(node)
    out["afterReboot"] = node_state(drv, node.id)
    out["destroy"] = drv.destroy_node(node, ex_expunge=True)
    out["afterDestroy"] = node_state(drv, node.id)
    return out


def volumes(drv):
    zone = find(drv.list_locations(), "Zone-DC1")
    size = find(drv.list_sizes(), "Small Instance")
    image = find(drv.list_images(location=zone), "MigrateKit Placeholder (KVM)")
    net = find(drv.ex_list_networks(), "Prod-App-VLAN150")
    node = drv.create_node(name="libcloud-vol-node", size=size, image=image, location=zone, networks=[net])
    # create_volume sends diskOfferingId and zoneId, attach_volume virtualMachineId: mixed-case names.
    volume = drv.create_volume(size=2, name="libcloud-data", location=zone)
    out = {"created": {"id": volume.id, "name": volume.name, "size": volume.size, "state": volume.state}}
    out["attach"] = drv.attach_volume(node, volume)
    attached = [v for v in drv.list_volumes(node=node) if v.id == volume.id][0]
    out["attached"] = {"state": attached.state, "size": attached.size, "extra": attached.extra}
    snapshot = drv.create_volume_snapshot(volume)
    out["snapshot"] = {"id": snapshot.id, "name": snapshot.extra["name"], "volume_id": snapshot.extra["volume_id"]}
    out["snapshots"] = [s.id for s in drv.list_snapshots()]
    out["destroySnapshot"] = drv.destroy_volume_snapshot(snapshot)
    out["detach"] = drv.detach_volume(volume)
    detached = [v for v in drv.list_volumes() if v.id == volume.id][0]
    out["detached"] = {"state": detached.state, "vm": detached.extra.get("instance_id")}
    out["destroy"] = drv.destroy_volume(volume)
    out["afterDestroy"] = [v.id for v in drv.list_volumes() if v.id == volume.id]
    out["nodeVolumes"] = sorted(v.extra["volume_type"] for v in drv.list_volumes(node=node))
    drv.destroy_node(node, ex_expunge=True)
    return out


SCENARIOS = {"catalogue": catalogue, "nodes": nodes, "volumes": volumes}

if __name__ == "__main__":
    result = SCENARIOS[sys.argv[1]](driver())
    json.dump(result, sys.stdout, default=str)
