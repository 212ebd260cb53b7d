// Bulk rules through the API against the CloudStack simulator: the preview lists each create/replace/unchanged per
// VM and writes nothing; apply writes them; one failing row (a trigger on one VM) leaves every mapping as it was.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { NET, startNetworkFixture, type NetworkFixture } from './network-fixture';

interface Preview {
  vms_matched: number;
  creates: number;
  replaces: number;
  unchanged: number;
  changes: { vm_name: string; kind: string; action: string; from_network_id: string | null; to_network_id: string }[];
  skipped: { vm_name: string | null; reason: string }[];
  written?: number;
}

const nic = (network_name: string, n: number) => ({
  label: `Network adapter ${n}`,
  network_name,
  mac_address: `00:50:56:bb:00:0${n}`,
});

describe('bulk network mapping rules', { timeout: 60_000 }, () => {
  let f: NetworkFixture;
  const ids: Record<string, string> = {};
  const post = (url: string, payload: object) => f.t.app.inject({ method: 'POST', url, headers: f.t.admin, payload });
  const rule = { source_network_name: 'VM Network', production_network_id: NET.prodWeb, test_network_id: NET.testL2 };
  const mappingsOf = async (contextId: string) =>
    (await f.t.app.inject({ method: 'GET', url: `/api/v1/network-mappings/${contextId}`, headers: f.t.admin })).json<
      { kind: string; destination_network_id: string }[]
    >();

  before(async () => {
    f = await startNetworkFixture();
    ids.a = await f.addVm('app-a', [nic('VM Network', 1), nic('VLAN 20 - Backup', 2)]);
    ids.b = await f.addVm('app-b', [nic('VM Network', 1)]);
    ids.c = await f.addVm('app-c', [nic('VM Network', 1)]);
    ids.d = await f.addVm('db-d', [nic('VLAN 20 - Backup', 1)]);
    await post(`/api/v1/network-mappings/context/${ids.a}`, {
      mappings: [{ source_network_name: 'VM Network', kind: 'production', destination_network_id: NET.prodWeb }],
    });
    await post(`/api/v1/network-mappings/context/${ids.b}`, {
      mappings: [{ source_network_name: 'VM Network', kind: 'production', destination_network_id: NET.prodApp }],
    });
  });
  after(async () => f.close());

  test('preview over every VM that has the network: per VM and kind, and nothing written', async () => {
    const res = await post('/api/v1/network-mappings/bulk/preview', rule);
    assert.equal(res.statusCode, 200, res.body);
    const preview = res.json<Preview>();
    assert.equal(preview.vms_matched, 3);
    assert.deepEqual(
      preview.changes.map((c) => [c.vm_name, c.kind, c.action, c.from_network_id]),
      [
        ['app-a', 'production', 'unchanged', NET.prodWeb],
        ['app-a', 'test', 'create', null],
        ['app-b', 'production', 'replace', NET.prodApp],
        ['app-b', 'test', 'create', null],
        ['app-c', 'production', 'create', null],
        ['app-c', 'test', 'create', null],
      ],
    );
    assert.deepEqual([preview.creates, preview.replaces, preview.unchanged], [4, 1, 1]);
    assert.deepEqual(await mappingsOf(ids.c ?? ''), []);
  });

  test('selected VMs: a VM without the network is skipped with the reason; a Shared test network is refused', async () => {
    const preview = (
      await post('/api/v1/network-mappings/bulk/preview', { ...rule, context_ids: [ids.c, ids.d] })
    ).json<Preview>();
    assert.equal(preview.vms_matched, 1);
    assert.deepEqual(
      preview.skipped.map((s) => s.vm_name),
      ['db-d'],
    );
    assert.match(preview.skipped[0]?.reason ?? '', /VM Network/);
    const refused = await post('/api/v1/network-mappings/bulk/preview', { ...rule, test_network_id: NET.prodDb });
    assert.equal(refused.statusCode, 400);
    assert.equal(refused.json<{ error: { field: string } }>().error.field, 'body.test_network_id');
  });

  test('one failing row rolls the whole rule back; without it the rule applies', async () => {
    const db = f.t.database.db;
    await sql
      .raw(
        `CREATE TRIGGER fail_one_vm BEFORE INSERT ON network_mappings WHEN NEW.vm_context_id = '${ids.c ?? ''}' ` +
          `BEGIN SELECT RAISE(ABORT, 'injected failure'); END`,
      )
      .execute(db);
    const failed = await post('/api/v1/network-mappings/bulk/apply', rule);
    assert.equal(failed.statusCode, 500, failed.body);
    assert.deepEqual(
      (await mappingsOf(ids.b ?? '')).map((m) => [m.kind, m.destination_network_id]),
      [['production', NET.prodApp]],
    );
    assert.equal((await mappingsOf(ids.a ?? '')).length, 1);
    await sql.raw('DROP TRIGGER fail_one_vm').execute(db);

    const applied = await post('/api/v1/network-mappings/bulk/apply', rule);
    assert.equal(applied.statusCode, 200, applied.body);
    assert.equal(applied.json<Preview>().written, 5);
    for (const id of [ids.a, ids.b, ids.c])
      assert.deepEqual(
        (await mappingsOf(id ?? '')).map((m) => [m.kind, m.destination_network_id]),
        [
          ['production', NET.prodWeb],
          ['test', NET.testL2],
        ],
      );
  });
});
