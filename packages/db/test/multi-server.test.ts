// Several servers on one database (docs/scale-out.md), on every engine: the servers registry and its leases; the
// leases of plain jobs (a live server's job is never claimed as an orphan, a dead one's is, once); queued jobs
// claimed only by the server holding their agent, never twice when two connections race; relayed agent
// requests claimed once and answered first-end-wins; agents reachable only through a live server; the volumes
// attached to each data mover counted in one query for mover placement.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ManualClock, newJobId } from '@migratekit/core';
import { createRepositories, type Repositories } from '../src/repositories';
import { describeOnEngines } from '../src/testing';
import { createContext, uniqueSuffix } from './fixtures';

const LEASE_MS = 30_000;

async function plainJob(
  repos: Repositories,
  clock: ManualClock,
  lease: { owner: string | null; untilMs: number; agentId?: string; queued?: boolean },
): Promise<string> {
  const id = newJobId(clock.now());
  await repos.jobLog.createJob({
    id,
    external_job_id: id,
    job_type: 'replication',
    operation: 'test replication',
    status: lease.queued === true ? 'pending' : 'running',
    lease_owner: lease.owner,
    lease_expires_at: new Date(clock.now().getTime() + lease.untilMs),
    agent_id: lease.agentId ?? null,
  });
  return id;
}

function registration(id: string) {
  return {
    id,
    api_url: `http://${id}`,
    agent_url: `https://${id}:8444`,
    agent_fingerprint: `${id.length}`.padStart(64, 'f'),
    data_mover_vm_id: `vm-${id}`,
    attachment_slots: 20,
  };
}

describeOnEngines('multi-server repositories', ({ engine, database }) => {
  test(
    `[${engine}] a server is live while its heartbeat renews its lease, dead once it lapsed`,
    { timeout: 120_000 },
    async () => {
      const clock = new ManualClock('2026-05-01T10:00:00.000Z');
      const repos = createRepositories(database().db, clock);
      const a = `srv-a-${uniqueSuffix()}`;
      const b = `srv-b-${uniqueSuffix()}`;
      await repos.servers.register(registration(a), LEASE_MS);
      await repos.servers.register(registration(b), LEASE_MS);
      const live = async () => (await repos.servers.listLive()).map((s) => s.id).filter((id) => id === a || id === b);
      assert.deepEqual(await live(), [a, b].sort());
      // Agents learn the other servers' agent listeners, each with its own pin, from this list.
      const listed = (await repos.servers.listLive()).find((s) => s.id === a);
      assert.deepEqual(
        [listed?.agent_url, listed?.agent_fingerprint],
        [registration(a).agent_url, registration(a).agent_fingerprint],
      );
      await clock.advance(20_000);
      assert.equal(await repos.servers.heartbeat(a, LEASE_MS), true);
      await clock.advance(15_000);
      assert.deepEqual(await live(), [a], 'b missed its heartbeats');
      assert.equal((await repos.servers.get(a))?.data_mover_vm_id, `vm-${a}`);
      await repos.servers.expire(a);
      assert.deepEqual(await live(), [], 'a clean stop ends the lease at once');
      const again = await repos.servers.register({ ...registration(a), attachment_slots: 8 }, LEASE_MS);
      assert.deepEqual([again.attachment_slots, again.started_at.getTime()], [8, clock.now().getTime()]);
      assert.equal(await repos.servers.remove(b), true);
      assert.equal(await repos.servers.heartbeat(b, LEASE_MS), false, 'a removed server must register again');
    },
  );

  test(
    `[${engine}] orphan claims take dead servers' jobs once and never a live server's`,
    { timeout: 120_000 },
    async () => {
      const clock = new ManualClock('2026-05-01T11:00:00.000Z');
      const repos = createRepositories(database().db, clock);
      const a = `srv-a-${uniqueSuffix()}`;
      const b = `srv-b-${uniqueSuffix()}`;
      const ofA = await plainJob(repos, clock, { owner: a, untilMs: LEASE_MS });
      const ofB = await plainJob(repos, clock, { owner: b, untilMs: LEASE_MS });
      const queued = await plainJob(repos, clock, {
        owner: null,
        untilMs: 5 * LEASE_MS,
        agentId: 'agent-x',
        queued: true,
      });
      const claimAsB = (includeOwn: boolean) =>
        repos.jobLeases.claimOrphaned({
          owner: b,
          leaseExpiresAt: new Date(clock.now().getTime() + LEASE_MS),
          includeOwn,
        });
      const ids = (claimed: { id: string }[]) => claimed.map((job) => job.id);
      assert.ok(!ids(await claimAsB(false)).some((id) => [ofA, ofB, queued].includes(id)), 'all leases valid');
      const restart = await claimAsB(true);
      assert.deepEqual(
        ids(restart).filter((id) => [ofA, ofB, queued].includes(id)),
        [ofB],
        'a restart takes its own',
      );

      await clock.advance(20_000);
      assert.equal(await repos.jobLeases.renew(a, new Date(clock.now().getTime() + LEASE_MS)), 1);
      await clock.advance(20_000);
      assert.ok(!ids(await claimAsB(false)).includes(ofA), 'a renewed lease keeps the job with its live server');
      await clock.advance(LEASE_MS);
      const taken = await claimAsB(false);
      assert.deepEqual(
        taken.filter((job) => job.id === ofA).map((job) => [job.previous_owner, job.agent_id]),
        [[a, null]],
      );
      assert.ok(!ids(await claimAsB(false)).includes(ofA), 'claimed once: the new lease is valid');
      assert.ok(!ids(await claimAsB(false)).includes(queued), 'a queued job waits until its deadline');
      await clock.advance(5 * LEASE_MS);
      const expired = await claimAsB(false);
      assert.deepEqual(
        expired.filter((job) => job.id === queued).map((job) => job.previous_owner),
        [null],
        'a queued job nobody claimed by its deadline is an orphan',
      );
    },
  );

  test(
    `[${engine}] queued jobs go to the server holding their agent, each exactly once under a race`,
    { timeout: 120_000 },
    async () => {
      const clock = new ManualClock('2026-05-01T12:00:00.000Z');
      const db = database();
      const first = createRepositories(db.db, clock);
      const second = createRepositories(db.openConnection().db, clock);
      const agent = `agent-${uniqueSuffix()}`;
      const jobs: string[] = [];
      for (let i = 0; i < 12; i++)
        jobs.push(await plainJob(first, clock, { owner: null, untilMs: LEASE_MS, agentId: agent, queued: true }));
      const claim = (repos: Repositories, owner: string, agentIds: string[]) =>
        repos.jobLeases.claimQueued({
          owner,
          agentIds,
          jobType: 'replication',
          leaseExpiresAt: new Date(clock.now().getTime() + LEASE_MS),
          limit: 100,
        });
      assert.deepEqual(await claim(first, 'srv-other', ['another-agent']), [], 'no claim without the agent');
      assert.deepEqual(await claim(first, 'srv-other', []), []);
      const [one, two] = await Promise.all([claim(first, 'srv-1', [agent]), claim(second, 'srv-2', [agent])]);
      const all = [...one, ...two].map((job) => job.id);
      assert.equal(new Set(all).size, all.length, 'no job claimed twice');
      assert.deepEqual([...all].sort(), [...jobs].sort(), 'every job claimed');
      const row = await first.jobLog.getJob(jobs[0] ?? '');
      assert.ok(row?.lease_owner === 'srv-1' || row?.lease_owner === 'srv-2');
      assert.deepEqual(await claim(first, 'srv-1', [agent]), [], 'a claimed job is no longer queued');
    },
  );

  test(`[${engine}] relayed agent requests are claimed once and the first end wins`, { timeout: 120_000 }, async () => {
    const clock = new ManualClock('2026-05-01T13:00:00.000Z');
    const db = database();
    const first = createRepositories(db.db, clock);
    const second = createRepositories(db.openConnection().db, clock);
    const agent = `agent-${uniqueSuffix()}`;
    const created = [];
    for (let i = 0; i < 8; i++)
      created.push(
        await first.agentRequests.create({
          agent_id: agent,
          method: 'vm.info',
          params: { vm_id: `vm-${i}`, nested: { n: i } },
          timeout_ms: 60_000,
          requested_by: 'srv-a',
          deadline_at: new Date(clock.now().getTime() + 60_000),
        }),
      );
    assert.deepEqual(created[0]?.params, { vm_id: 'vm-0', nested: { n: 0 } });
    const [one, two] = await Promise.all([
      first.agentRequests.claimFor([agent], 'srv-b', 100),
      second.agentRequests.claimFor([agent], 'srv-c', 100),
    ]);
    const ids = [...one, ...two].map((r) => r.id);
    assert.equal(new Set(ids).size, 8, 'each request claimed exactly once');
    assert.ok([...one, ...two].every((r) => r.status === 'claimed'));
    const target = created[0]?.id ?? '';
    assert.equal(await first.agentRequests.succeed(target, { name: 'db-01' }), true);
    assert.equal(await second.agentRequests.fail(target, { code: 'MKE_AGENT_LOST', message: 'late' }), false);
    const answered = await first.agentRequests.get(target);
    assert.deepEqual([answered?.status, answered?.result, answered?.error], ['succeeded', { name: 'db-01' }, null]);

    const late = await first.agentRequests.create({
      agent_id: agent,
      method: 'discover',
      params: {},
      timeout_ms: 1_000,
      requested_by: 'srv-a',
      deadline_at: new Date(clock.now().getTime() + 1_000),
    });
    await clock.advance(2_000);
    assert.deepEqual(await first.agentRequests.claimFor([agent], 'srv-b'), [], 'past its deadline: not claimed');
    assert.equal(await first.agentRequests.fail(late.id, { code: 'MKE_AGENT_LOST', message: 'timeout' }), true);
    assert.equal((await first.agentRequests.get(late.id))?.error?.code, 'MKE_AGENT_LOST');
    await clock.advance(60_000);
    assert.ok((await first.agentRequests.deleteEndedBefore(clock.now())) >= 2);
    assert.equal(await first.agentRequests.get(target), undefined);
  });

  test(
    `[${engine}] an agent is reachable only through a live server that holds its link`,
    { timeout: 120_000 },
    async () => {
      const clock = new ManualClock('2026-05-01T14:00:00.000Z');
      const repos = createRepositories(database().db, clock);
      const server = `srv-${uniqueSuffix()}`;
      const agentId = `agent-${uniqueSuffix()}`;
      await repos.agents.insert({ id: agentId, name: agentId, status: 'online', scope: ['vc1.lab'] });
      const reachable = async () => (await repos.agents.listReachable()).some((a) => a.id === agentId);
      assert.equal(await reachable(), false, 'no link yet');
      await repos.servers.register(registration(server), LEASE_MS);
      await repos.agents.setServer(agentId, server);
      assert.equal(await reachable(), true);
      await repos.agents.clearServer(agentId, 'some-other-server');
      assert.equal(await reachable(), true, 'only the holder clears the link');
      await clock.advance(LEASE_MS + 1);
      assert.equal(await reachable(), false, 'its server died');
      await repos.servers.heartbeat(server, LEASE_MS);
      await repos.agents.clearServer(agentId, server);
      assert.equal(await reachable(), false);
    },
  );

  test(`[${engine}] attached volumes are counted per data mover VM in one query`, { timeout: 120_000 }, async () => {
    const repos = createRepositories(database().db, new ManualClock('2026-05-01T15:00:00.000Z'));
    const [moverA, moverB, empty] = ['a', 'b', 'empty'].map((name) => `mover-${name}-${uniqueSuffix()}`);
    assert.ok(moverA !== undefined && moverB !== undefined && empty !== undefined);
    const context = await createContext(repos);
    const attach = async (vmId: string | null, index: number) =>
      repos.cloudstackVolumes.create({
        vm_context_id: context.context_id,
        volume_id: `vol-${uniqueSuffix()}`,
        name: `disk-${index}`,
        disk_id: `disk-${2000 + index}`,
        size_bytes: 1024,
        device_id: null,
        attached_vm_id: vmId,
        mode: 'oma',
      });
    await attach(moverA, 0);
    await attach(moverA, 1);
    await attach(moverA, 2);
    await attach(moverB, 3);
    await attach(null, 4);
    const counts = await repos.cloudstackVolumes.countAttachedByVm([moverA, moverB, empty]);
    assert.deepEqual(
      [counts.get(moverA), counts.get(moverB), counts.get(empty)],
      [3, 1, undefined],
      'a VM holding none is absent',
    );
    assert.equal((await repos.cloudstackVolumes.countAttachedByVm([])).size, 0);
  });
});
