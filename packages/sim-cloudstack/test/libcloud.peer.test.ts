import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { skipUnlessPeer } from '@migratekit/core';
import { DEFAULT_SEED, DEFAULT_ZONE_ID, SECOND_ZONE_ID } from '../src/default-seed';
import { API_KEY, SECRET_KEY, startFixture, type SimFixture } from './sim-fixture';

// Apache libcloud's CloudStack driver (Debian python3-libcloud) drives the simulator through its public API:
// its signing (names lower-cased, then sorted), its mixed-case parameters (zoneId, diskOfferingId,
// virtualMachineId), its job polling and its parsing of every answer. The scenarios live in
// libcloud/libcloud_scenarios.py; each prints JSON that is asserted here.

const run = promisify(execFile);
// Debian installs the module for the system interpreter; a pyenv python3 earlier in PATH does not see it.
const PYTHON = '/usr/bin/python3';
const SCRIPT = fileURLToPath(new URL('./libcloud/libcloud_scenarios.py', import.meta.url));

function hasLibcloud(): boolean {
  try {
    execFileSync(PYTHON, ['-c', 'import libcloud.compute.drivers.cloudstack'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
const available = hasLibcloud();
const skip = skipUnlessPeer('libcloud (python3-libcloud)', available);

// libcloud 3.4's list_sizes reads cpunumber and memory of every offering, and CloudStack omits both for a
// custom (dynamic) offering, so libcloud cannot list sizes where one exists. This estate has fixed sizes only.
const SEED = {
  ...DEFAULT_SEED,
  serviceOfferings: DEFAULT_SEED.serviceOfferings.filter((o) => o.iscustomized !== true),
};

let fx: SimFixture;
before(async () => {
  if (available) fx = await startFixture({ seed: SEED });
});
after(async () => {
  if (available) await fx.close();
});

async function scenario<T>(name: string): Promise<T> {
  const { stdout } = await run(PYTHON, [SCRIPT, name], {
    env: { ...process.env, CLOUDSTACK_URL: fx.sim.url, CLOUDSTACK_KEY: API_KEY, CLOUDSTACK_SECRET: SECRET_KEY },
    timeout: 60_000,
  });
  return JSON.parse(stdout) as T;
}

interface Catalogue {
  locations: { id: string; name: string }[];
  sizes: { id: string; name: string; ram: number; cpu: number }[];
  images: { id: string; name: string; os: string }[];
  networks: { id: string; name: string; zoneid: string; extra: Record<string, unknown> }[];
  diskOfferings: { name: string; size: number; customizable: boolean }[];
}

interface Nodes {
  created: { id: string; name: string; state: string; private_ips: string[] };
  listed: string;
  listedExtra: { ip_addresses: unknown[]; port_forwarding_rules: unknown[] };
  stop: string;
  afterStop: string;
  start: string;
  reboot: boolean;
  afterReboot: string;
  destroy: boolean;
  afterDestroy: string | null;
}

interface Volumes {
  created: { id: string; name: string; size: number; state: string };
  attach: boolean;
  attached: { state: string; size: number; extra: Record<string, unknown> };
  snapshot: { id: string; name: string; volume_id: string };
  snapshots: string[];
  destroySnapshot: boolean;
  detach: boolean;
  detached: { state: string; vm: string | null };
  destroy: boolean;
  afterDestroy: string[];
  nodeVolumes: string[];
}

describe('libcloud CloudStack driver against the simulator', { timeout: 120_000 }, () => {
  test('locations, sizes, images, networks and disk offerings', { skip }, async () => {
    const out = await scenario<Catalogue>('catalogue');
    assert.deepEqual(
      out.locations.map((l) => [l.id, l.name]),
      [
        [DEFAULT_ZONE_ID, 'Zone-DC1'],
        [SECOND_ZONE_ID, 'Zone-DC2'],
      ],
    );
    assert.deepEqual(
      out.sizes.map((s) => [s.name, s.cpu, s.ram]),
      [
        ['Small Instance', 1, 1024],
        ['Medium Instance', 2, 4096],
        ['Large Instance', 4, 8192],
        ['XLarge Instance', 8, 16384],
      ],
    );
    assert.ok(out.images.some((i) => i.name === 'MigrateKit Placeholder (KVM)' && i.os === 'Other Linux (64-bit)'));
    assert.equal(out.networks.length, DEFAULT_SEED.networks.length);
    const byName = new Map(out.networks.map((n) => [n.name, n]));
    assert.deepEqual(
      ['Prod-Web-VLAN100', 'Prod-Billing-Isolated', 'Lab-L2-Test'].map((n) => byName.get(n)?.extra.type),
      ['Shared', 'Isolated', 'L2'],
    );
    assert.equal(byName.get('Legacy-VLAN300')?.extra.can_use_for_deploy, 'False');
    assert.equal(byName.get('Prod-Analytics-Isolated')?.extra.state, 'Allocated');
    assert.equal(byName.get('DC2-Web-VLAN100')?.zoneid, SECOND_ZONE_ID);
    assert.deepEqual(out.diskOfferings[0], { ...out.diskOfferings[0], name: 'Custom', customizable: true });
  });

  test('create, list, stop, start, reboot and destroy (expunge) a node', { skip }, async () => {
    const out = await scenario<Nodes>('nodes');
    assert.deepEqual(
      [out.created.name, out.created.state, out.created.private_ips],
      ['libcloud-node', 'RUNNING', ['10.100.0.2']],
    );
    assert.equal(out.listed, 'RUNNING');
    assert.deepEqual(out.listedExtra, { ip_addresses: [], port_forwarding_rules: [] });
    assert.deepEqual(
      [out.stop, out.afterStop, out.start, out.reboot, out.afterReboot],
      ['Stopped', 'STOPPED', 'Running', true, 'RUNNING'],
    );
    assert.deepEqual([out.destroy, out.afterDestroy], [true, null]);
    assert.deepEqual(
      fx.sim.inventory().vms.filter((vm) => vm.id === out.created.id),
      [],
    );
  });

  test('volumes: create (custom size), attach, snapshot, detach, destroy', { skip }, async () => {
    const out = await scenario<Volumes>('volumes');
    assert.deepEqual([out.created.name, out.created.size, out.attach], ['libcloud-data', 2, true]);
    assert.deepEqual([out.attached.state, out.attached.size], ['inuse', 2 * 1024 ** 3]);
    assert.deepEqual([out.attached.extra.volume_type, out.attached.extra.device_id], ['DATADISK', 1]);
    assert.match(out.snapshot.name, /^i-2-\d+-VM_libcloud-data_\d{14}$/);
    assert.equal(out.snapshot.volume_id, out.created.id);
    assert.ok(out.snapshots.includes(out.snapshot.id));
    assert.deepEqual([out.destroySnapshot, out.detach], [true, true]);
    assert.deepEqual(out.detached, { state: 'available', vm: null });
    assert.deepEqual([out.destroy, out.afterDestroy], [true, []]);
    assert.deepEqual(out.nodeVolumes, ['ROOT']);
  });
});
