// Peer suite: connection, TLS pinning, inventory and discovery against VMware's vcsim; govc cross-checks.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createServer } from 'node:net';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';
import { isMigrateKitError, skipUnlessPeer } from '@migratekit/core';
import {
  type CertificateInfo,
  fetchThumbprint,
  InvalidLoginError,
  testConnection,
  VsphereClient,
} from '@migratekit/vsphere';
import { hasVcsim, startVcsim, type Vcsim, VCSIM_BIN } from './vcsim-peer';

const skip = skipUnlessPeer('vcsim', hasVcsim);
const GOVC_BIN = VCSIM_BIN.replace(/vcsim$/, 'govc');
let sim: Vcsim;
let cert: CertificateInfo;

before(async () => {
  if (!hasVcsim) return;
  sim = await startVcsim();
  cert = await fetchThumbprint(sim.host, sim.port);
});

after(async () => {
  if (hasVcsim) await sim.stop();
});

/** Pinned to vcsim's SHA-1 thumbprint unless another pin (or null: none) is given. */
function connect(pin: string | null = cert.sha1): Promise<VsphereClient> {
  return VsphereClient.connect({ host: sim.address, username: 'user', password: 'pass', thumbprint: pin ?? undefined });
}

async function govcJson(args: string[]): Promise<unknown> {
  const { stdout } = await promisify(execFile)(GOVC_BIN, args, {
    env: { ...process.env, GOVC_URL: `https://user:pass@${sim.address}/sdk`, GOVC_INSECURE: '1' },
  });
  return JSON.parse(stdout) as unknown;
}

test('login reads the service content and keeps the session cookie', { timeout: 120_000, skip }, async () => {
  const client = await connect();
  try {
    assert.equal(client.about.apiType, 'VirtualCenter');
    assert.match(client.about.version, /^\d+\.\d+/);
    assert.equal(client.user.userName, 'user');
    assert.match(client.session.sessionCookie ?? '', /.+/);
  } finally {
    await client.close();
  }
  assert.equal(client.session.sessionCookie, undefined);
});

test(
  'inventory lists datacenter, cluster, hosts, standard and distributed port groups, datastore',
  { timeout: 120_000, skip },
  async () => {
    const client = await connect();
    try {
      const inv = await client.inventory();
      assert.deepEqual(
        inv.datacenters.map((d) => d.path),
        ['/DC0'],
      );
      assert.deepEqual(
        inv.clusters.map((c) => c.path),
        ['/DC0/host/DC0_C0'],
      );
      assert.equal(inv.hosts.length, 4);
      const networks = new Map(inv.networks.map((n) => [n.name, n]));
      assert.equal(networks.get('VM Network')?.kind, 'standard');
      assert.equal(networks.get('DC0_DVPG0')?.kind, 'distributed');
      assert.equal(networks.get('DC0_DVPG0')?.path, '/DC0/network/DC0_DVPG0');
      assert.match(networks.get('DC0_DVPG0')?.portgroupKey ?? '', /^dvportgroup-/);
      assert.deepEqual(
        inv.datastores.map((d) => d.name),
        ['LocalDS_0'],
      );
      assert.ok((inv.datastores[0]?.capacityBytes ?? 0) > 0);
    } finally {
      await client.close();
    }
  },
);

interface GovcDevice {
  Key: number;
  MacAddress?: string;
  CapacityInKB?: number;
  Backing?: { FileName?: string };
}
interface GovcVm {
  Name: string;
  Config: { InstanceUuid: string; Hardware: { NumCPU: number; MemoryMB: number; Device: GovcDevice[] } };
}

test(
  'discovery returns the four VMs of the default inventory as VM JSON, matching govc',
  { timeout: 120_000, skip },
  async () => {
    const client = await connect();
    try {
      const vms = await client.discoverVms();
      assert.deepEqual(
        vms.map((v) => v.path),
        ['/DC0/vm/DC0_C0_RP0_VM0', '/DC0/vm/DC0_C0_RP0_VM1', '/DC0/vm/DC0_H0_VM0', '/DC0/vm/DC0_H0_VM1'],
      );
      const govc = (await govcJson(['vm.info', '-json', ...vms.map((v) => v.path)])) as { VirtualMachines: GovcVm[] };
      const byName = new Map(govc.VirtualMachines.map((g) => [g.Name, g]));
      for (const vm of vms) {
        const g = byName.get(vm.name);
        assert.ok(g, vm.name);
        assert.deepEqual(Object.keys(vm).sort(), [
          'cbt_enabled',
          'cpus',
          'datacenter',
          'disks',
          'firmware',
          'guest_id',
          'has_snapshots',
          'id',
          'memory_mb',
          'name',
          'networks',
          'os_type',
          'path',
          'power_state',
          'tools_status',
        ]);
        assert.equal(vm.id, g.Config.InstanceUuid);
        assert.equal(vm.cpus, g.Config.Hardware.NumCPU);
        assert.equal(vm.memory_mb, g.Config.Hardware.MemoryMB);
        assert.equal(vm.datacenter, 'DC0');
        assert.equal(vm.firmware, 'bios');
        assert.equal(vm.cbt_enabled, false);
        const govcDisks = g.Config.Hardware.Device.filter((d) => d.CapacityInKB !== undefined);
        assert.equal(vm.disks.length, govcDisks.length);
        assert.equal(vm.disks.length, 1);
        const disk = vm.disks[0]!;
        assert.equal(disk.id, `disk-${govcDisks[0]!.Key}`);
        assert.equal(disk.capacity_bytes, govcDisks[0]!.CapacityInKB! * 1024);
        assert.equal(disk.vmdk_path, govcDisks[0]!.Backing?.FileName);
        assert.equal(disk.datastore, 'LocalDS_0');
        assert.equal(disk.provisioning, 'thin');
        assert.equal(disk.unit_number, 0);
        assert.notEqual(disk.controller, '');
        const govcNics = g.Config.Hardware.Device.filter((d) => d.MacAddress !== undefined);
        assert.deepEqual(
          vm.networks.map((n) => n.mac_address),
          govcNics.map((n) => n.MacAddress),
        );
        for (const nic of vm.networks) {
          assert.equal(nic.network_name, 'DC0_DVPG0');
          assert.equal(nic.adapter_type, 'e1000');
          assert.equal(typeof nic.connected, 'boolean');
        }
      }
    } finally {
      await client.close();
    }
  },
);

test(
  'discovery filters by name glob and datacenter, and reports concerns per VM',
  { timeout: 120_000, skip },
  async () => {
    const client = await connect();
    try {
      const some = await client.discoverVms({ datacenter: 'DC0', filter: 'dc0_h0_*' });
      assert.deepEqual(
        some.map((v) => v.name),
        ['DC0_H0_VM0', 'DC0_H0_VM1'],
      );
      const results = await client.discoverVmDetails({ filter: 'RP0_VM1' });
      assert.equal(results.length, 1);
      assert.deepEqual(
        results[0]!.concerns.map((c) => c.code),
        ['cbt_disabled'],
      );
      await assert.rejects(client.discoverVms({ datacenter: 'NoSuchDC' }), (error: unknown) => {
        return isMigrateKitError(error) && error.code === 'MKE_NOT_FOUND' && error.field === 'datacenter';
      });
    } finally {
      await client.close();
    }
  },
);

test(
  'testConnection: version and datacenters with a SHA-256 pin; unknown datacenter is its own error',
  { timeout: 120_000, skip },
  async () => {
    const result = await testConnection({
      host: sim.address,
      username: 'user',
      password: 'pass',
      thumbprint: cert.sha256,
      datacenter: 'DC0',
    });
    assert.equal(result.ok, true);
    assert.deepEqual(result.datacenters, ['DC0']);
    assert.equal(result.datacenter, 'DC0');
    assert.match(result.version, /^\d+\.\d+/);
    await assert.rejects(
      testConnection({
        host: sim.address,
        username: 'user',
        password: 'pass',
        thumbprint: cert.sha1,
        datacenter: 'DC9',
      }),
      (error: unknown) => isMigrateKitError(error) && error.code === 'MKE_NOT_FOUND' && error.field === 'datacenter',
    );
  },
);

test(
  'thumbprint pinning: a wrong pin and an unpinned self-signed certificate are refused',
  { timeout: 120_000, skip },
  async () => {
    const wrong = cert.sha1.replace(/^../, cert.sha1.startsWith('00') ? '11' : '00');
    await assert.rejects(connect(wrong), (error: unknown) => {
      assert.ok(isMigrateKitError(error));
      assert.equal(error.code, 'MKE_UPSTREAM_TLS');
      assert.equal(error.details?.reason, 'thumbprint_mismatch');
      assert.equal(error.details?.sha1, cert.sha1);
      return true;
    });
    await assert.rejects(connect(null), (error: unknown) => {
      assert.ok(isMigrateKitError(error));
      assert.equal(error.code, 'MKE_UPSTREAM_TLS');
      assert.equal(error.details?.reason, 'untrusted_certificate');
      // The error carries what the operator needs to decide whether to pin it.
      assert.equal(error.details?.sha256, cert.sha256);
      return true;
    });
  },
);

test('an unreachable host is MKE_UPSTREAM_UNREACHABLE', { timeout: 120_000, skip }, async () => {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await assert.rejects(
    testConnection({ host: `127.0.0.1:${port}`, username: 'u', password: 'p', thumbprint: cert.sha1 }),
    (error: unknown) => isMigrateKitError(error) && error.code === 'MKE_UPSTREAM_UNREACHABLE',
  );
});

test(
  'a wrong password is InvalidLoginError (vcsim started with -username/-password)',
  { timeout: 120_000, skip },
  async () => {
    const strict = await startVcsim(['-username', 'alice', '-password', 'correct horse']);
    try {
      const pin = (await fetchThumbprint(strict.host, strict.port)).sha1;
      await assert.rejects(
        testConnection({ host: strict.address, username: 'alice', password: 'wrong', thumbprint: pin }),
        (error: unknown) => error instanceof InvalidLoginError && error.code === 'MKE_VCENTER_AUTH',
      );
      const ok = await testConnection({
        host: strict.address,
        username: 'alice',
        password: 'correct horse',
        thumbprint: pin,
      });
      assert.deepEqual(ok.datacenters, ['DC0']);
    } finally {
      await strict.stop();
    }
  },
);
