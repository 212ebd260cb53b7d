// The dual network mapping API against the CloudStack simulator: one mapping at a time, exactly-one deletes,
// per-VM status, refusing networks the VM lacks, validation after a destination disappears, the failover
// network config in NIC order (live and test), strict mode, and the networks/available and resolve helpers.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { MigrateKitError } from '@migratekit/core';
import { DEFAULT_ZONE_ID } from '@migratekit/sim-cloudstack';
import { NET, THREE_NICS, startNetworkFixture, type NetworkFixture } from './network-fixture';

interface Mapping {
  source_network_name: string;
  kind: string;
  destination_network_id: string;
  destination_network_name: string | null;
  validation_status: string;
  validation_reason: string | null;
  last_validated: string | null;
}
interface Status {
  status: string;
  summary: string;
  missing: { source_network_name: string; kind: string }[];
  invalid: { source_network_name: string; kind: string; reason: string | null }[];
}
interface Config {
  ok: boolean;
  strategy: string;
  nics: {
    label: string;
    destination_network_id: string | null;
    destination_source: string | null;
    mac_policy: string;
    mac_address: string | null;
    ip_policy: string;
  }[];
  warnings: string[];
  errors: { nic: string | null; reason: string }[];
}

const PRODUCTION = [NET.prodWeb, NET.prodApp, NET.prodDb];
const TESTS = [NET.testIsolated, NET.testL2, NET.testBubble];

describe('network mapping API', { timeout: 60_000 }, () => {
  let f: NetworkFixture;
  let vm: string;
  const req = (method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, payload?: unknown, headers = f.t.admin) =>
    f.t.app.inject({ method, url, headers, ...(payload === undefined ? {} : { payload: payload as object }) });
  const enc = encodeURIComponent;

  before(async () => {
    f = await startNetworkFixture();
    vm = await f.addVm('web-01', THREE_NICS);
  });
  after(async () => f.close());

  test('a 3-NIC VM starts with needs_setup, 0 of 6 configured, every network missing both kinds', async () => {
    const res = await req('GET', `/api/v1/network-mappings/${vm}/status`);
    assert.equal(res.statusCode, 200, res.body);
    const status = res.json<Status>();
    assert.equal(status.status, 'needs_setup');
    assert.equal(status.summary, '0 of 6 configured');
    assert.equal(status.missing.length, 6);
  });

  test('mapping a network the VM does not have is refused with 400 naming the field', async () => {
    const res = await req('POST', `/api/v1/network-mappings/context/${vm}`, {
      mappings: [{ source_network_name: 'web-01-network', kind: 'production', destination_network_id: NET.prodWeb }],
    });
    assert.equal(res.statusCode, 400, res.body);
    const body = res.json<{ error: { code: string; field: string; message: string } }>();
    assert.equal(body.error.code, 'MKE_VALIDATION');
    assert.equal(body.error.field, 'body.source_network_name');
    assert.match(body.error.message, /VLAN 100 - Web/);
  });

  test('destinations are checked: unknown, other zone, not deployable, Shared as test -> 400 on the destination', async () => {
    for (const [destination, kind] of [
      ['no-such-network', 'production'],
      [NET.otherZoneL2, 'test'],
      [NET.notDeployable, 'production'],
      [NET.prodWeb, 'test'],
    ] as const) {
      const res = await req('POST', '/api/v1/network-mappings', {
        context_id: vm,
        source_network_name: 'VLAN 100 - Web',
        destination_network_id: destination,
        is_test_network: kind === 'test',
      });
      assert.equal(res.statusCode, 400, `${destination}: ${res.body}`);
      assert.equal(res.json<{ error: { field: string } }>().error.field, 'body.destination_network_id');
    }
    const putTest = await req('PUT', `/api/v1/network-mappings/context/${vm}/${enc('VLAN 100 - Web')}`, {
      production_network_id: NET.prodWeb,
      test_network_id: NET.prodDb,
    });
    assert.equal(putTest.json<{ error: { field: string } }>().error.field, 'body.test_network_id');
    const putSource = await req('PUT', `/api/v1/network-mappings/context/${vm}/${enc('VM Network')}`, {
      production_network_id: NET.prodWeb,
    });
    assert.equal(putSource.json<{ error: { field: string } }>().error.field, 'params.source_network');
    assert.deepEqual((await req('GET', `/api/v1/network-mappings/${vm}`)).json(), []);
  });

  test('viewers cannot write mappings', async () => {
    const viewer = await f.t.userWithRole('viewer');
    const res = await req(
      'PUT',
      `/api/v1/network-mappings/context/${vm}/${enc('VLAN 100 - Web')}`,
      { production_network_id: NET.prodWeb },
      viewer,
    );
    assert.equal(res.statusCode, 403, res.body);
  });

  test('all six mappings, then network-config returns production ids (live) and test ids (test) in NIC order', async () => {
    for (const [i, nic] of THREE_NICS.entries()) {
      const res = await req('PUT', `/api/v1/network-mappings/context/${vm}/${enc(nic.network_name)}`, {
        production_network_id: PRODUCTION[i],
        test_network_id: TESTS[i],
      });
      assert.equal(res.statusCode, 200, res.body);
      const written = res.json<Mapping[]>();
      assert.deepEqual(
        written.map((m) => [m.kind, m.destination_network_id, m.validation_status]),
        [
          ['production', PRODUCTION[i], 'valid'],
          ['test', TESTS[i], 'valid'],
        ],
      );
    }
    const status = (await req('GET', `/api/v1/network-mappings/web-01/status`)).json<Status>();
    assert.equal(status.status, 'configured');
    assert.equal(status.summary, '6 of 6 configured');

    const live = (await req('GET', `/api/v1/failover/${vm}/network-config?type=live`)).json<Config>();
    assert.equal(live.ok, true);
    assert.equal(live.strategy, 'production');
    assert.deepEqual(
      live.nics.map((n) => n.destination_network_id),
      PRODUCTION,
    );
    assert.deepEqual(
      live.nics.map((n) => n.label),
      ['Network adapter 1', 'Network adapter 2', 'Network adapter 3'],
    );
    assert.deepEqual(
      live.nics.map((n) => n.mac_address),
      THREE_NICS.map((n) => n.mac_address),
    );
    const testCfg = (await req('GET', `/api/v1/failover/${vm}/network-config?type=test`)).json<Config>();
    assert.equal(testCfg.strategy, 'isolated');
    assert.deepEqual(
      testCfg.nics.map((n) => n.destination_network_id),
      TESTS,
    );
    assert.deepEqual(
      testCfg.nics.map((n) => [n.mac_policy, n.mac_address, n.ip_policy]),
      [
        ['cloudstack', null, 'dhcp'],
        ['cloudstack', null, 'dhcp'],
        ['cloudstack', null, 'dhcp'],
      ],
    );
  });

  test('deleting one mapping leaves the other five; status needs_setup names the missing one', async () => {
    const res = await req('DELETE', `/api/v1/network-mappings/context/${vm}/${enc('VLAN 150 - App')}?kind=production`);
    assert.equal(res.statusCode, 204, res.body);
    const rows = (await req('GET', `/api/v1/network-mappings?context_id=${vm}`)).json<Mapping[]>();
    assert.equal(rows.length, 5);
    assert.ok(rows.some((r) => r.source_network_name === 'VLAN 150 - App' && r.kind === 'test'));
    const status = (await req('GET', `/api/v1/network-mappings/${vm}/status`)).json<Status>();
    assert.equal(status.status, 'needs_setup');
    assert.equal(status.summary, '5 of 6 configured');
    assert.deepEqual(status.missing, [{ source_network_name: 'VLAN 150 - App', kind: 'production' }]);
    const again = await req('DELETE', `/api/v1/network-mappings/${vm}/${enc('VLAN 150 - App')}?kind=production`);
    assert.equal(again.statusCode, 404, again.body);
  });

  test('a missing mapping falls back to the default network with a warning, or fails in strict mode', async () => {
    const live = (await req('GET', `/api/v1/failover/${vm}/network-config?type=live`)).json<Config>();
    assert.equal(live.ok, true);
    assert.deepEqual(
      live.nics.map((n) => n.destination_network_id),
      [NET.prodWeb, NET.mgmt, NET.prodDb],
    );
    assert.equal(live.nics[1]?.destination_source, 'default');
    assert.match(live.warnings.join('\n'), /Network adapter 2 \(VLAN 150 - App\) has no production mapping/);
    const strict = (await req('GET', `/api/v1/failover/${vm}/network-config?type=live&strict=true`)).json<Config>();
    assert.equal(strict.ok, false);
    assert.deepEqual(
      strict.errors.map((e) => e.nic),
      ['Network adapter 2'],
    );
    await req('PUT', `/api/v1/network-mappings/context/${vm}/${enc('VLAN 150 - App')}`, {
      production_network_id: NET.prodApp,
    });
  });

  test('a destination deleted from CloudStack: validation invalid with the reason; strict validate fails', async () => {
    await f.deleteNetwork(NET.testL2);
    const res = await req('GET', `/api/v1/network-mappings/context/${vm}/validation`);
    assert.equal(res.statusCode, 200, res.body);
    const invalid = res.json<Mapping[]>().filter((m) => m.validation_status === 'invalid');
    assert.equal(invalid.length, 1);
    assert.equal(invalid[0]?.destination_network_id, NET.testL2);
    assert.match(invalid[0]?.validation_reason ?? '', /no longer exists/);
    assert.ok(invalid[0]?.last_validated);
    const status = (await req('GET', `/api/v1/network-mappings/${vm}/status`)).json<Status>();
    assert.equal(status.status, 'error');
    assert.deepEqual(
      status.invalid.map((i) => [i.source_network_name, i.kind]),
      [['VLAN 150 - App', 'test']],
    );

    const validated = await req('POST', `/api/v1/failover/${vm}/network-config/validate`, {
      type: 'test',
      strict: true,
    });
    assert.equal(validated.statusCode, 200, validated.body);
    const body = validated.json<Config>();
    assert.equal(body.ok, false);
    assert.ok(
      body.errors.some((e) => e.nic === 'Network adapter 2' && /no longer exists/.test(e.reason)),
      validated.body,
    );
    const liveOk = (
      await req('POST', `/api/v1/failover/${vm}/network-config/validate`, { type: 'live', strict: true })
    ).json<Config>();
    assert.equal(liveOk.ok, true, JSON.stringify(liveOk.errors));
  });

  test('the failover workflow calls requireValid directly: it throws MKE_VALIDATION naming the NIC', async () => {
    const { networkConfig } = f.t.ctx.services.networkMapping;
    await assert.rejects(networkConfig.requireValid(vm, { type: 'test' }), (error: MigrateKitError) => {
      assert.equal(error.code, 'MKE_VALIDATION');
      assert.match(error.message, /no longer exists/);
      return true;
    });
    const live = await networkConfig.requireValid(vm, { type: 'live', strict: true });
    assert.deepEqual(
      live.nics.map((n) => n.destination_network_id),
      PRODUCTION,
    );
  });

  test('custom strategy: the per-failover override map wins for the networks it names', async () => {
    const res = await req('POST', `/api/v1/failover/${vm}/network-config/validate`, {
      type: 'test',
      strategy: 'custom',
      custom_overrides: { 'VLAN 150 - App': { destination_network_id: NET.testIsolated } },
    });
    const body = res.json<Config>();
    assert.equal(body.ok, true, res.body);
    assert.deepEqual(
      body.nics.map((n) => [n.destination_network_id, n.destination_source]),
      [
        [NET.testIsolated, 'mapping'],
        [NET.testIsolated, 'custom'],
        [NET.testBubble, 'mapping'],
      ],
    );
  });

  test('stored strategy: strict and NIC policies apply to later resolutions', async () => {
    const set = await req('POST', `/api/v1/network-mappings/context/${vm}/strategy`, {
      strict_mapping: true,
      nic_policies: {
        '00:50:56:aa:00:01': { ip_policy: 'static', ip_address: '10.100.0.15', mac_policy: 'keep_source' },
      },
    });
    assert.equal(set.statusCode, 200, set.body);
    const cfg = (await req('GET', `/api/v1/failover/${vm}/network-config?type=test`)).json<
      Config & { strict: boolean }
    >();
    assert.equal(cfg.strict, true);
    assert.deepEqual(
      [cfg.nics[0]?.mac_policy, cfg.nics[0]?.mac_address, cfg.nics[0]?.ip_policy],
      ['keep_source', '00:50:56:aa:00:01', 'static'],
    );
    const bad = await req('POST', `/api/v1/network-mappings/context/${vm}/strategy`, {
      nic_policies: { 'Network adapter 2': { ip_policy: 'static' } },
    });
    assert.equal(bad.statusCode, 400, bad.body);
  });

  test('networks/available: type, zone, deployability and suitable_for; resolve; service offerings', async () => {
    const all = (await req('GET', '/api/v1/networks/available?include_unusable=true')).json<
      { id: string; type: string; suitable_for: string[]; unsuitable_reason: string | null }[]
    >();
    const byId = new Map(all.map((n) => [n.id, n]));
    assert.deepEqual(byId.get(NET.prodWeb)?.suitable_for, ['production']);
    assert.deepEqual(byId.get(NET.testIsolated)?.suitable_for, ['production', 'test']);
    assert.deepEqual(byId.get(NET.notDeployable)?.suitable_for, []);
    assert.match(byId.get(NET.otherZoneL2)?.unsuitable_reason ?? '', /Zone-DC2/);
    const tests = (await req('GET', '/api/v1/networks/available?suitable_for=test')).json<{ id: string }[]>();
    assert.ok(tests.every((n) => n.id !== NET.prodWeb && n.id !== NET.otherZoneL2));

    const resolved = await req('POST', '/api/v1/networks/resolve', { name: 'Prod-Web-VLAN100' });
    assert.equal(resolved.json<{ id: string }>().id, NET.prodWeb);
    const ambiguous = await req('POST', '/api/v1/networks/resolve', { name: 'Dev-L2-Bubble' });
    assert.equal(ambiguous.statusCode, 400, ambiguous.body);
    const error = ambiguous.json<{ error: { field: string; details: { candidates: { id: string }[] } } }>().error;
    assert.equal(error.field, 'body.name');
    assert.deepEqual(error.details.candidates.map((c) => c.id).sort(), [NET.testBubble, NET.otherZoneBubble].sort());
    const narrowed = await req('POST', '/api/v1/networks/resolve', { name: 'Dev-L2-Bubble', zone_id: DEFAULT_ZONE_ID });
    assert.equal(narrowed.json<{ id: string }>().id, NET.testBubble);
    const missing = await req('POST', '/api/v1/networks/resolve', { name: 'Nope' });
    assert.equal(missing.statusCode, 404);
    const offerings = (await req('GET', '/api/v1/service-offerings/available')).json<{ name: string }[]>();
    assert.ok(offerings.some((o) => o.name === 'Medium Instance'));
  });
});
