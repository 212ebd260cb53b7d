// A replication the previous process left running (server stopped mid-copy) is ended at the next start:
// failed with MKE_JOB_INTERRUPTED, the VM's job slot released, the VM replicable again.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { ManualClock, MigrateKitError, newContextId } from '@migratekit/core';
import { createRepositories } from '@migratekit/db';
import { createSqliteTestDatabase } from '@migratekit/db/testing';
import type { AgentHub } from '../agents/agent-hub';
import { EventBus } from '../events/event-bus';
import type { ServerEvent } from '../events/event-types';
import { JobLog } from '../joblog';
import { createLogger } from '../logging/logger';
import { ReplicationService } from './replication.service';

test('replications left active by a stopped server end failed and free the VM', { timeout: 120_000 }, async (t) => {
  const database = await createSqliteTestDatabase();
  t.after(() => database.drop());
  const clock = new ManualClock('2026-03-01T10:00:00Z');
  const repositories = createRepositories(database.db, clock);
  const events = new EventBus<ServerEvent>();
  const joblog = new JobLog({ repositories, clock, publish: (e) => events.publish(e) });

  // What the previous process left: a context replicating with its job slot held.
  const contextId = newContextId('db-01', clock.now());
  await repositories.contexts.create({
    context_id: contextId,
    vm_name: 'db-01',
    vmware_vm_id: `uuid-${randomBytes(4).toString('hex')}`,
  });
  const job = await joblog.startJob({ jobType: 'replication', operation: 'initial replication of db-01', contextId });
  await repositories.contexts.claimJob(contextId, job.id);
  await repositories.replicationJobs.create({
    id: job.id,
    vm_context_id: contextId,
    replication_type: 'initial',
    status: 'replicating',
  });
  await repositories.contexts.transitionStatus(contextId, 'replicating');
  await joblog.markInterruptedJobs();

  const noAgent = {
    placeReplication: () => Promise.reject(new MigrateKitError('MKE_AGENT_OFFLINE')),
  };
  const service = new ReplicationService({
    repositories,
    joblog,
    events,
    clock,
    logger: createLogger({ level: 'silent' }),
    hub: {} as AgentHub,
    placement: noAgent,
    volumes: {} as never,
    nbd: { endpoint: () => ({ via: 'agent_port' }), psk: new Map() },
    credentials: {
      resolveForUse: () =>
        Promise.resolve({ id: 'c', vcenterHost: 'vc', username: 'u', password: 'p', datacenter: null }),
    } as never,
  });
  assert.equal(await service.recoverInterrupted(), 1);
  const ended = await repositories.replicationJobs.require(job.id);
  assert.deepEqual([ended.status, ended.error_classification], ['failed', 'MKE_JOB_INTERRUPTED']);
  const context = await repositories.contexts.require(contextId);
  assert.deepEqual([context.current_status, context.current_job_id, context.failed_jobs], ['failed', null, 1]);
  assert.equal(await service.recoverInterrupted(), 0, 'idempotent');
  // Free again: a new replication is refused only for lack of an agent, not for a held job slot.
  await assert.rejects(service.start(contextId), { code: 'MKE_AGENT_OFFLINE' });
});
