// Two real `migratekit` server processes on one PostgreSQL and on one MariaDB database (docs/scale-out.md), with
// the vCenter and CloudStack simulators and the only agent in this process, connected to server A. Proves:
// - exactly one scheduler leader (A, which started first) while both live, and B leads within one lease of A's
//   SIGKILL;
// - discovery, Add to Management and a replication asked of B run on A's agent (relayed requests, the job queued
//   and claimed by A);
// - a server restarting on the same database leaves the other live server's running jobs alone;
// - after A's SIGKILL, B takes A's test failover over (its workflow lease expired: compensated by policy) and
//   ends A's replication that was mid-copy (interrupted, the VM free again);
// - A's agent, which learned B from A (docs/scale-out.md#agents-and-scope), reconnects to B within a bound, and
//   the next replication runs on B, its disks written through B's agent port.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { systemClock } from '@migratekit/core';
import { createRepositories, type Repositories } from '@migratekit/db';
import { engineCases, type TestDatabase } from '@migratekit/db/testing';
import { SCHEDULER_LEASE } from '../../src/scheduler/scheduler.service';
import { PROD_NETWORKS, SOURCE_NETWORKS, TEST_NETWORKS, inventoryOf, twoDiskVm } from '../failover/failover-fixture';
import { readyForFailover, startKillableServer, until, type KillableServer } from '../killable-server';

const LEASE_MS = 3_000;
/** The scheduler polls every lease / 3; a takeover may also wait for one poll after the lease ran out. */
const LEADER_TAKEOVER_LIMIT_MS = LEASE_MS + LEASE_MS / 3 + 1_500;
const FAILOVER_VM = 'ms-fo-01';
const REPLICATION_VM = 'ms-repl-01';
/** The agent notices the dropped link at once and tries B next (backoff 100-500 ms in killable-server.ts). */
const AGENT_FAILOVER_LIMIT_MS = 10_000;
/** CloudStack holds these long enough for B to restart while A's jobs are mid-step. */
const HOLD_MS = 40_000;

interface JobDetail {
  id: string;
  status: string;
  error_message: string | null;
  steps: Array<{ name: string; status: string }>;
  logs: Array<{ message: string; fields: Record<string, unknown> | null }>;
}

const databaseEngines = engineCases().filter((c) => c.name !== 'sqlite');

for (const engine of databaseEngines) {
  describe(`two servers on one ${engine.name} database`, { skip: engine.skip, timeout: 600_000 }, () => {
    let database: TestDatabase;
    let repositories: Repositories;
    let a: KillableServer;
    let b: KillableServer;
    let contexts: Map<string, string>;
    /** The replication context whose job A was running when it died; replicated again on B at the end. */
    let replicationContext: string;
    before(async () => {
      database = await engine.create();
      repositories = createRepositories(database.db, systemClock);
      const env = {
        MIGRATEKIT_LEASE_MS: String(LEASE_MS),
        // Both servers open the same stored secrets (the vCenter credential).
        MIGRATEKIT_MASTER_KEY: randomBytes(32).toString('hex'),
      };
      const common = { adminPassword: 'multi-server-admin', databaseUrl: database.url, env };
      a = await startKillableServer({
        ...common,
        serverId: 'server-a',
        inventory: inventoryOf([twoDiskVm(FAILOVER_VM, 1), twoDiskVm(REPLICATION_VM, 2)]),
      });
      b = await startKillableServer({ ...common, serverId: 'server-b', inventory: { datacenters: [] }, peerOf: a });
    });
    after(async () => {
      await b?.close();
      await a?.close();
      await database?.drop();
    });

    const leaseOwner = async (jobId: string) => (await repositories.jobLog.getJob(jobId))?.lease_owner;
    const leader = async () => (await repositories.schedulerLeases.holder(SCHEDULER_LEASE))?.owner;
    const job = async (server: KillableServer, id: string) => {
      const answer = await server.api<JobDetail>('GET', `/api/v1/jobs/${id}`);
      assert.equal(answer.status, 200, JSON.stringify(answer.body));
      return answer.body;
    };

    test('one leader; work asked of the server without the agent runs on the server with it', async () => {
      const live = (await repositories.servers.listLive()).map((s) => s.id);
      assert.deepEqual(live, ['server-a', 'server-b'], JSON.stringify(await repositories.servers.list()));
      for (let i = 0; i < 6; i++) {
        assert.equal(await leader(), 'server-a', 'A started first and keeps the lease while it lives');
        await new Promise((r) => setTimeout(r, LEASE_MS / 3));
      }
      const agents = await repositories.agents.listReachable();
      assert.deepEqual(
        agents.map((agent) => agent.server_id),
        ['server-a'],
      );

      // Discovery, vm.info and the replication: all asked of B, which holds no agent.
      contexts = await readyForFailover(
        b,
        [FAILOVER_VM],
        SOURCE_NETWORKS.map((source, n) => ({
          source,
          production: PROD_NETWORKS[n] as string,
          test: TEST_NETWORKS[n] as string,
        })),
      );
      // The relayed requests carried the vCenter credential: the table holds them sealed, never in the clear.
      const relayed = await database.db.selectFrom('agent_requests').select(['method', 'params']).execute();
      assert.ok(
        relayed.some((r) => r.method === 'discover'),
        JSON.stringify(relayed.map((r) => r.method)),
      );
      for (const row of relayed) {
        assert.deepEqual(Object.keys(JSON.parse(row.params) as object), ['sealed'], row.method);
        assert.doesNotMatch(row.params, /password|username/i);
      }
      const replications = await b.api<{ items: Array<{ id: string; status: string }> }>(
        'GET',
        `/api/v1/replications?context_id=${contexts.get(FAILOVER_VM)}`,
      );
      const copied = replications.body.items[0];
      assert.equal(copied?.status, 'completed');
      const row = await repositories.jobLog.getJob(copied.id);
      assert.equal(row?.lease_owner, 'server-a', 'the job started on B ran on A, where the agent is');
      assert.equal(row.agent_id, agents[0]?.id);
    });

    test('a restarting server leaves live jobs alone; a killed server is replaced and its work taken over', async () => {
      // A's work, held mid-step by CloudStack: a test failover in "snapshot volumes", a replication in
      // "ensure volumes" (creating its volumes).
      a.cloudstack.controls.setLatency('createSnapshot', HOLD_MS);
      a.cloudstack.controls.setLatency('createVolume', HOLD_MS);
      const failover = await a.api<{ job_id: string; workflow_job_id: string }>('POST', '/api/v1/failover/unified', {
        vm_id: contexts.get(FAILOVER_VM),
        failover_type: 'test',
      });
      assert.equal(failover.status, 202, JSON.stringify(failover.body));
      const discovered = await a.api<{ vms: Array<{ id: string; name: string }> }>('POST', '/api/v1/discover', {
        credential_id: a.credentialId,
      });
      const added = await a.api<{ context_id: string }>('POST', '/api/v1/replications', {
        vm_id: discovered.body.vms.find((vm) => vm.name === REPLICATION_VM)?.id,
        credential_id: a.credentialId,
        start_replication: false,
      });
      assert.ok(added.status < 300, JSON.stringify(added.body));
      replicationContext = added.body.context_id;
      const started = await a.api<{ id: string }>('POST', `/api/v1/vm-contexts/${replicationContext}/replicate`);
      assert.equal(started.status, 202, JSON.stringify(started.body));
      const replicationId = started.body.id;
      const stepRunning = async (id: string, step: string) =>
        (await job(a, id)).steps.some((s) => s.name === step && s.status === 'running');
      await until('both jobs to be mid-step on A', async () => {
        const [f, r] = [
          await stepRunning(failover.body.workflow_job_id, 'snapshot volumes'),
          await stepRunning(replicationId, 'ensure volumes'),
        ];
        return f && r;
      });

      // B dies and starts again while A's jobs run: its start-up must not end them (they are A's, A is alive).
      assert.equal(await b.kill9(), 'SIGKILL');
      await b.restart();
      for (const id of [failover.body.workflow_job_id, replicationId]) {
        const detail = await job(b, id);
        assert.equal(detail.status, 'running', `${id} survived B's restart: ${JSON.stringify(detail.logs.at(-1))}`);
        assert.equal(await leaseOwner(id), 'server-a');
      }
      assert.equal(await leader(), 'server-a');

      // A dies: B becomes the leader within one lease, and takes A's jobs over once their leases expired.
      const killedAt = Date.now();
      assert.equal(await a.kill9(), 'SIGKILL');
      a.cloudstack.controls.setLatency('createSnapshot', 0);
      a.cloudstack.controls.setLatency('createVolume', 0);
      await until('B to lead', async () => (await leader()) === 'server-b', 30_000);
      const takeoverMs = Date.now() - killedAt;
      assert.ok(takeoverMs <= LEADER_TAKEOVER_LIMIT_MS, `leader replaced after ${takeoverMs} ms`);
      process.stdout.write(`# ${engine.name}: scheduler leader replaced ${takeoverMs} ms after SIGKILL\n`);
      // The agent learned B from A's welcome or heartbeats; A's link dropped with A, so it moves on to B.
      await until(
        'the agent to reconnect to B',
        async () => (await repositories.agents.listReachable()).some((agent) => agent.server_id === 'server-b'),
        AGENT_FAILOVER_LIMIT_MS,
      );
      const agentMovedMs = Date.now() - killedAt;
      assert.ok(agentMovedMs <= AGENT_FAILOVER_LIMIT_MS, `agent on B ${agentMovedMs} ms after SIGKILL`);
      process.stdout.write(`# ${engine.name}: agent connected to B ${agentMovedMs} ms after SIGKILL\n`);
      // A's row in `servers` has its own lease, renewed on another beat than the scheduler's: it may outlive the
      // leader lease by up to one lease, never more.
      await until(
        "A's server lease to expire",
        async () => (await repositories.servers.listLive()).map((s) => s.id).join() === 'server-b',
        2 * LEASE_MS,
      );

      // One sweep marks the job interrupted, then ends the replication row and frees the VM.
      const replication = () =>
        b.api<{ status: string; error_classification: string | null }>('GET', `/api/v1/replications/${replicationId}`);
      await until(
        'the replication to end',
        async () => !['pending', 'replicating'].includes((await replication()).body.status),
        30_000,
      );
      const ended = await replication();
      assert.deepEqual([ended.body.status, ended.body.error_classification], ['failed', 'MKE_JOB_INTERRUPTED']);
      const interrupted = await job(b, replicationId);
      assert.equal(interrupted.status, 'interrupted');
      assert.equal(await leaseOwner(replicationId), 'server-b', 'B claimed the orphan to end it');
      assert.match(interrupted.error_message ?? '', /server server-a stopped/);
      const context = await b.api<{ current_status: string; current_job_id: string | null }>(
        'GET',
        `/api/v1/vm-contexts/${replicationContext}`,
      );
      assert.deepEqual([context.body.current_status, context.body.current_job_id], ['failed', null]);

      await until(
        'the failover to be settled by B',
        async () => !['running', 'compensating'].includes((await job(b, failover.body.workflow_job_id)).status),
        90_000,
      );
      const settled = await job(b, failover.body.workflow_job_id);
      assert.equal(settled.status, 'compensated', `a test failover is compensated on takeover: ${settled.status}`);
      const takeover = settled.logs.find((l) => l.message.startsWith('Taken over'));
      assert.equal(takeover?.fields?.previous_owner, 'server-a');
    });

    test("the killed server's agent, now on B, replicates there", async () => {
      const started = await b.api<{ id: string }>('POST', `/api/v1/vm-contexts/${replicationContext}/replicate`);
      assert.equal(started.status, 202, JSON.stringify(started.body));
      const replication = () =>
        b.api<{ status: string; error_message?: string | null }>('GET', `/api/v1/replications/${started.body.id}`);
      await until(
        'the replication on B to end',
        async () => !['pending', 'replicating'].includes((await replication()).body.status),
        60_000,
      );
      const ended = await replication();
      assert.equal(ended.body.status, 'completed', JSON.stringify(ended.body));
      const row = await repositories.jobLog.getJob(started.body.id);
      assert.equal(row?.lease_owner, 'server-b', "run where the agent now is, through B's agent port");
    });
  });
}
