// The server-owned repositories (users, sessions, API tokens, audit, credentials, CloudStack configs, agents)
// on every engine: booleans, timestamps, counters, unique names, single default/active row, cascades.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ManualClock, MigrateKitError, newId } from '@migratekit/core';
import { createRepositories } from '@migratekit/db';
import { describeOnEngines } from '@migratekit/db/testing';

const isDuplicate = (e: unknown): boolean => e instanceof MigrateKitError && e.code === 'MKE_DUPLICATE';

describeOnEngines('server repositories', ({ engine, database }) => {
  test(
    `[${engine}] users, sessions and API tokens: expiry, revocation, cascade on user delete`,
    { timeout: 120_000 },
    async () => {
      const clock = new ManualClock('2026-05-01T12:00:00.123Z');
      const repos = createRepositories(database().db, clock);
      const id = newId('usr');
      const user = await repos.users.insert({
        id,
        username: `u-${id}`,
        password_hash: 'h',
        role: 'operator',
        is_active: true,
      });
      assert.deepEqual(
        [user.is_active, user.created_at.toISOString(), user.last_login_at],
        [true, '2026-05-01T12:00:00.123Z', null],
      );
      await assert.rejects(
        repos.users.insert({
          id: newId('usr'),
          username: `u-${id}`,
          password_hash: 'h',
          role: 'viewer',
          is_active: true,
        }),
        isDuplicate,
      );
      assert.ok((await repos.users.count()) >= 1);

      await repos.sessions.insert({
        id: `s-${id}`,
        user_id: id,
        created_at: clock.now(),
        expires_at: new Date(clock.now().getTime() + 60_000),
        last_seen_at: clock.now(),
      });
      assert.ok(await repos.sessions.getValid(`s-${id}`));
      await clock.advance(60_000);
      assert.equal(await repos.sessions.getValid(`s-${id}`), undefined, 'expired at exactly expires_at');
      assert.ok((await repos.sessions.deleteExpired()) >= 1);

      const token = await repos.apiTokens.insert({
        id: `t-${id}`,
        user_id: id,
        name: 'ci',
        token_hash: `hash-${id}`,
        token_prefix: 'mkt_ab',
        expires_at: null,
      });
      assert.equal(token.revoked_at, null);
      assert.equal((await repos.apiTokens.getUsableByHash(`hash-${id}`))?.id, token.id);
      await repos.apiTokens.markUsed(token.id);
      assert.equal((await repos.apiTokens.get(token.id))?.last_used_at?.toISOString(), clock.now().toISOString());
      assert.equal(await repos.apiTokens.revoke(token.id), true);
      assert.equal(await repos.apiTokens.revoke(token.id), false, 'revoking twice changes nothing');
      assert.equal(await repos.apiTokens.getUsableByHash(`hash-${id}`), undefined);
      assert.equal((await repos.apiTokens.list({ userId: id })).length, 0);
      assert.equal((await repos.apiTokens.list({ userId: id, includeRevoked: true })).length, 1);

      assert.equal(await repos.users.delete(id), true);
      assert.equal(await repos.apiTokens.get(token.id), undefined, 'tokens cascade with their user');
    },
  );

  test(`[${engine}] VMware credentials: one default, usage counter, unique name`, { timeout: 120_000 }, async () => {
    const clock = new ManualClock('2026-05-02T08:00:00.000Z');
    const repos = createRepositories(database().db, clock);
    const tag = newId('t');
    const a = await repos.vmwareCredentials.insert({
      id: `a-${tag}`,
      name: `a-${tag}`,
      vcenter_host: 'vc1',
      username: 'u',
      password: 'v1:x:y:z',
      datacenter: null,
      is_active: true,
      is_default: true,
      created_by: 'admin',
    });
    const b = await repos.vmwareCredentials.insert({
      id: `b-${tag}`,
      name: `b-${tag}`,
      vcenter_host: 'vc2',
      username: 'u',
      password: 'v1:x:y:z',
      datacenter: 'DC',
      is_active: true,
      is_default: true,
      created_by: null,
    });
    assert.equal((await repos.vmwareCredentials.get(a.id))?.is_default, false, 'a new default clears the old one');
    assert.equal((await repos.vmwareCredentials.getDefault())?.id, b.id);
    await repos.vmwareCredentials.setDefault(a.id);
    assert.equal((await repos.vmwareCredentials.getDefault())?.id, a.id);
    assert.equal(await repos.vmwareCredentials.setDefault('missing'), undefined);

    await repos.vmwareCredentials.recordUse(a.id);
    await clock.advance(1000);
    await repos.vmwareCredentials.recordUse(a.id);
    const used = await repos.vmwareCredentials.get(a.id);
    assert.deepEqual([used?.usage_count, used?.last_used?.toISOString()], [2, '2026-05-02T08:00:01.000Z']);

    await assert.rejects(repos.vmwareCredentials.update(b.id, { name: `a-${tag}` }), isDuplicate);
    assert.equal((await repos.vmwareCredentials.update(b.id, { datacenter: null }))?.datacenter, null);
    assert.equal(await repos.vmwareCredentials.delete(b.id), true);
    assert.equal(await repos.vmwareCredentials.delete(b.id), false);
  });

  test(
    `[${engine}] CloudStack configs: one active, unique name; agents: scope JSON and heartbeat`,
    { timeout: 120_000 },
    async () => {
      const clock = new ManualClock('2026-05-03T08:00:00.000Z');
      const repos = createRepositories(database().db, clock);
      const tag = newId('t');
      const base = {
        api_url: 'http://h:8080/client/api',
        api_key: 'k',
        secret_key: 'v1:a:b:c',
        zone_id: null,
        domain_id: null,
        template_id: null,
        service_offering_id: null,
        disk_offering_id: null,
        server_vm_id: null,
        default_network_id: null,
      };
      const one = await repos.cloudstackConfigs.insert({
        ...base,
        id: `1-${tag}`,
        name: `one-${tag}`,
        is_active: true,
      });
      const two = await repos.cloudstackConfigs.insert({
        ...base,
        id: `2-${tag}`,
        name: `two-${tag}`,
        is_active: true,
      });
      assert.equal((await repos.cloudstackConfigs.get(one.id))?.is_active, false);
      assert.equal((await repos.cloudstackConfigs.getActive())?.id, two.id);
      await repos.cloudstackConfigs.activate(one.id);
      assert.equal((await repos.cloudstackConfigs.getActive())?.id, one.id);
      await assert.rejects(
        repos.cloudstackConfigs.insert({ ...base, id: `3-${tag}`, name: `one-${tag}`, is_active: false }),
        isDuplicate,
      );

      const agent = await repos.agents.insert({
        id: `ag-${tag}`,
        name: `agent-${tag}`,
        status: 'pending',
        version: '0.1.0',
        last_seen: null,
        certificate_fingerprint: `fp-${tag}`,
        scope: ['vc1.example.com'],
      });
      assert.deepEqual(agent.scope, ['vc1.example.com']);
      await clock.advance(5000);
      await repos.agents.markSeen(agent.id, 'online');
      const seen = await repos.agents.getByFingerprint(`fp-${tag}`);
      assert.deepEqual([seen?.status, seen?.last_seen?.toISOString()], ['online', '2026-05-03T08:00:05.000Z']);
      assert.deepEqual((await repos.agents.update(agent.id, { scope: ['a', 'b'] }))?.scope, ['a', 'b']);
      assert.equal(await repos.agents.delete(agent.id), true);
    },
  );

  test(`[${engine}] audit events list newest first with filters and a total`, { timeout: 120_000 }, async () => {
    const clock = new ManualClock('2026-05-04T08:00:00.000Z');
    const repos = createRepositories(database().db, clock);
    const target = newId('tgt');
    for (const action of ['x.create', 'x.update', 'x.delete']) {
      await repos.audit.insert({
        id: newId('aud'),
        actor: 'admin',
        actor_user_id: null,
        action,
        target_type: 'x',
        target_id: target,
        vm_context_id: null,
        details: '{"fields":["name"]}',
        outcome: 'success',
        request_id: null,
      });
      await clock.advance(1);
    }
    const page = await repos.audit.list({ targetId: target, limit: 2 });
    assert.equal(page.total, 3);
    assert.deepEqual(
      page.items.map((e) => e.action),
      ['x.delete', 'x.update'],
    );
    assert.deepEqual((await repos.audit.list({ targetId: target, action: 'x.create' })).items.length, 1);
  });
});
