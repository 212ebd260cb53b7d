// Network mapping SQL on every engine: multi-row upsert (create, replace, validation state), all or nothing inside
// a transaction when one row fails, latest NICs per VM in one query, and per-VM strategies with cascade.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createRepositories, type NetworkMappingInput } from '../src/repositories';
import { describeOnEngines } from '../src/testing';
import { createContext } from './fixtures';

describe('network mapping repositories', { timeout: 120_000 }, () => {
  describeOnEngines('network mappings', ({ engine, database }) => {
    test(`[${engine}] upsertMany creates and replaces in multi-row statements; a replaced row drops its old validation`, async () => {
      const repos = createRepositories(database().db);
      const ctx = await createContext(repos);
      const row = (name: string, isTest: boolean, dest: string): NetworkMappingInput => ({
        vm_context_id: ctx.context_id,
        source_network_name: name,
        is_test_network: isTest,
        destination_network_id: dest,
        destination_network_name: `name-${dest}`,
      });
      assert.equal(await repos.networkMappings.upsertMany([row('A', false, 'p1'), row('A', true, 't1')]), 2);
      const first = await repos.networkMappings.get({
        contextId: ctx.context_id,
        sourceNetworkName: 'A',
        isTestNetwork: true,
      });
      assert.ok(first);
      assert.equal(first.validation_status, 'pending');
      assert.equal(first.last_validated, null);
      assert.equal(await repos.networkMappings.setValidation(first.id, { status: 'invalid', reason: 'gone' }), true);

      await repos.networkMappings.upsertMany([
        { ...row('A', true, 't2'), validation_status: 'valid' },
        row('B', false, 'p3'),
      ]);
      const rows = await repos.networkMappings.listByContext(ctx.context_id);
      assert.deepEqual(
        rows.map((r) => [
          r.source_network_name,
          r.is_test_network,
          r.destination_network_id,
          r.validation_status,
          r.validation_reason,
        ]),
        [
          ['A', false, 'p1', 'pending', null],
          ['A', true, 't2', 'valid', null],
          ['B', false, 'p3', 'pending', null],
        ],
      );
      const replaced = rows[1];
      assert.equal(replaced?.id, first.id, 'the row is updated in place');
      assert.ok(replaced?.last_validated instanceof Date);
      const grouped = await repos.networkMappings.listByContexts([ctx.context_id]);
      assert.equal(grouped.get(ctx.context_id)?.length, 3);
    });

    test(`[${engine}] inside a transaction, one failing row (second chunk) rolls back every row`, async () => {
      const repos = createRepositories(database().db);
      const ctx = await createContext(repos);
      await repos.networkMappings.upsert({
        vm_context_id: ctx.context_id,
        source_network_name: 'net-0',
        is_test_network: false,
        destination_network_id: 'before',
      });
      const rows: NetworkMappingInput[] = Array.from({ length: 300 }, (_, i) => ({
        vm_context_id: i === 250 ? 'ctx-does-not-exist' : ctx.context_id,
        source_network_name: `net-${i}`,
        is_test_network: false,
        destination_network_id: 'after',
      }));
      await assert.rejects(repos.transaction((trx) => trx.networkMappings.upsertMany(rows)));
      const left = await repos.networkMappings.listByContext(ctx.context_id);
      assert.deepEqual(
        left.map((r) => [r.source_network_name, r.destination_network_id]),
        [['net-0', 'before']],
      );
    });

    test(`[${engine}] latestNicsByContext: the newest disk row's NICs per VM, ordered by VM name`, async () => {
      const repos = createRepositories(database().db);
      const a = await createContext(repos, { vm_name: `zz-${Date.now()}` });
      const b = await createContext(repos, { vm_name: `aa-${Date.now()}` });
      const disk = { job_id: null, disk_id: 'disk-2000', capacity_bytes: 1, sync_status: 'discovered' };
      await repos.vmDisks.create({ ...disk, vm_context_id: a.context_id, nics: [{ network_name: 'old' }] });
      await new Promise((resolve) => setTimeout(resolve, 5));
      await repos.vmDisks.create({
        ...disk,
        vm_context_id: a.context_id,
        nics: [{ network_name: 'new', label: 'Network adapter 1' }],
      });
      await repos.vmDisks.create({ ...disk, vm_context_id: b.context_id, nics: [{ network_name: 'VM Network' }] });
      const found = await repos.vmDisks.latestNicsByContext([a.context_id, b.context_id]);
      assert.deepEqual(
        found.map((f) => [f.vm_context_id, f.nics.map((n) => n.network_name)]),
        [
          [b.context_id, ['VM Network']],
          [a.context_id, ['new']],
        ],
      );
      assert.deepEqual(await repos.vmDisks.latestNicsByContext([]), []);
    });

    test(`[${engine}] network strategies: upsert keeps one row per VM and cascades with the context`, async () => {
      const repos = createRepositories(database().db);
      const ctx = await createContext(repos);
      assert.equal(await repos.networkStrategies.get(ctx.context_id), undefined);
      await repos.networkStrategies.upsert({
        vm_context_id: ctx.context_id,
        strategy: 'custom',
        strict_mapping: true,
        custom_overrides: { 'VM Network': { destination_network_id: 'n1' } },
        nic_policies: {},
      });
      const updated = await repos.networkStrategies.upsert({
        vm_context_id: ctx.context_id,
        strategy: null,
        strict_mapping: false,
        custom_overrides: {},
        nic_policies: { 'Network adapter 1': { ip_policy: 'static', ip_address: '10.0.0.5' } },
      });
      assert.equal(updated.strategy, null);
      assert.equal(updated.strict_mapping, false);
      assert.deepEqual(updated.nic_policies, { 'Network adapter 1': { ip_policy: 'static', ip_address: '10.0.0.5' } });
      await repos.contexts.delete(ctx.context_id);
      assert.equal(await repos.networkStrategies.get(ctx.context_id), undefined);
    });
  });
});
