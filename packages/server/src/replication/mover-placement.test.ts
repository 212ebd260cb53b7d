// Mover placement on a real database (docs/scale-out.md#data-movers): with agents for one vCenter on several
// servers, a VM's replication goes to the mover that already holds its volumes, else to the one with the most
// free attachment slots, this server on a tie, the lowest server id after that; a dead server's agent is never
// chosen; and ReplicationService.start queues the job for the chosen remote server's agent.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { ManualClock, newContextId } from '@migratekit/core';
import { createRepositories, type Repositories } from '@migratekit/db';
import { createSqliteTestDatabase } from '@migratekit/db/testing';
import { AgentHub, type AgentSocket } from '../agents/agent-hub';
import { AgentRouter } from '../agents/agent-router';
import { EventBus } from '../events/event-bus';
import type { ServerEvent } from '../events/event-types';
import { JobLog } from '../joblog';
import { createLogger } from '../logging/logger';
import { SecretBox } from '../security/secret-box';
import { AuditService } from '../services/audit.service';
import { VmwareCredentialService } from '../services/vmware-credential.service';
import { MoverPlacement } from './mover-placement';
import { ReplicationService } from './replication.service';

const VCENTER = 'vc1.lab.local';
const HERE = 'srv-a';
const LEASE_MS = 30_000;
const silent = createLogger({ level: 'silent' });

/** The hub's socket seam: this agent's link stays open and nothing is asked of it in these tests. */
const openSocket: AgentSocket = {
  send: () => undefined,
  close: () => undefined,
  terminate: () => undefined,
  on: () => undefined,
};

async function cluster(t: { after(fn: () => unknown): void }) {
  const database = await createSqliteTestDatabase();
  t.after(() => database.drop());
  const clock = new ManualClock('2026-07-01T10:00:00Z');
  const repositories = createRepositories(database.db, clock);
  const hub = new AgentHub({ agents: repositories.agents, clock, logger: silent, serverId: HERE });
  t.after(() => hub.close());
  const router = new AgentRouter({ hub, repositories, clock, serverId: HERE, secrets: new SecretBox(randomBytes(32)) });
  const placement = new MoverPlacement({ router, repositories, serverId: HERE, logger: silent });
  await repositories.servers.register(mover(HERE), LEASE_MS);

  /** A live server whose mover VM `vm-<id>` holds `attached` volumes of other VMs, with an agent for VCENTER. */
  async function server(id: string, attached: number, options: { slots?: number } = {}) {
    if (id !== HERE) await repositories.servers.register(mover(id, options.slots), LEASE_MS);
    const agentId = `agent-${id}`;
    await repositories.agents.insert({ id: agentId, name: agentId, status: 'online', scope: [VCENTER] });
    if (id === HERE) hub.attach({ id: agentId, name: agentId, version: 'test' }, openSocket);
    else await repositories.agents.setServer(agentId, id);
    const filler = await context(repositories, clock);
    for (let i = 0; i < attached; i++) await volume(repositories, filler, `vm-${id}`, i);
    return agentId;
  }
  return { clock, repositories, hub, router, placement, server };
}

function mover(id: string, slots = 20) {
  return {
    id,
    api_url: null,
    agent_url: null,
    agent_fingerprint: null,
    data_mover_vm_id: `vm-${id}`,
    attachment_slots: slots,
  };
}

async function context(repositories: Repositories, clock: ManualClock): Promise<string> {
  const name = `vm-${randomBytes(3).toString('hex')}`;
  const contextId = newContextId(name, clock.now());
  await repositories.contexts.create({ context_id: contextId, vm_name: name, vmware_vm_id: `uuid-${name}` });
  return contextId;
}

async function volume(repositories: Repositories, contextId: string, vmId: string, index: number) {
  await repositories.cloudstackVolumes.create({
    vm_context_id: contextId,
    volume_id: `vol-${randomBytes(4).toString('hex')}`,
    name: `${contextId}-disk-${index}`,
    disk_id: `disk-${2000 + index}`,
    size_bytes: 1024,
    device_id: index + 1,
    attached_vm_id: vmId,
    mode: 'oma',
  });
}

test('the mover holding the VM volumes wins over more free slots elsewhere', { timeout: 60_000 }, async (t) => {
  const { clock, repositories, placement, server } = await cluster(t);
  const holder = await server('srv-b', 16);
  await server('srv-c', 0);
  const vm = await context(repositories, clock);
  await volume(repositories, vm, 'vm-srv-b', 0);
  await volume(repositories, vm, 'vm-srv-b', 1);
  const placed = await placement.placeReplication(VCENTER, vm);
  assert.deepEqual(
    [placed.agentId, placed.serverId, placed.local, placed.reason, placed.holdsOwn, placed.freeSlots],
    [holder, 'srv-b', false, 'together', 2, 2],
  );
});

test('the mover with the most free attachment slots wins', { timeout: 60_000 }, async (t) => {
  const { clock, repositories, placement, server } = await cluster(t);
  await server(HERE, 12);
  await server('srv-b', 3, { slots: 8 });
  const roomiest = await server('srv-c', 4);
  const placed = await placement.placeReplication(VCENTER, await context(repositories, clock));
  assert.deepEqual(
    [placed.agentId, placed.serverId, placed.reason, placed.freeSlots, placed.disks],
    [roomiest, 'srv-c', 'free_slots', 16, 1],
  );
});

test(
  'this server wins a tie in free slots, the lowest server id a tie among others',
  { timeout: 60_000 },
  async (t) => {
    const { clock, repositories, placement, server } = await cluster(t);
    await server('srv-c', 5);
    await server('srv-b', 5);
    const vm = await context(repositories, clock);
    assert.deepEqual(Object.values(pick(await placement.placeReplication(VCENTER, vm))), ['srv-b', false, 'server_id']);
    await server(HERE, 5);
    assert.deepEqual(Object.values(pick(await placement.placeReplication(VCENTER, vm))), [HERE, true, 'local']);
  },
);

test("a dead server's agent is not chosen, however many slots its mover has free", { timeout: 60_000 }, async (t) => {
  const { clock, repositories, router, placement, server } = await cluster(t);
  const alive = await server('srv-b', 15);
  await server('srv-dead', 0);
  await repositories.servers.expire('srv-dead');
  const vm = await context(repositories, clock);
  assert.deepEqual(
    (await router.candidates(VCENTER)).map((c) => c.agentId),
    [alive],
  );
  assert.deepEqual(Object.values(pick(await placement.placeReplication(VCENTER, vm))), [
    'srv-b',
    false,
    'only_candidate',
  ]);
  await repositories.servers.expire('srv-b');
  await assert.rejects(placement.placeReplication(VCENTER, vm), { code: 'MKE_AGENT_OFFLINE' });
  await assert.rejects(placement.placeReplication('vc2.lab.local', vm), { code: 'MKE_AGENT_OFFLINE' });
});

test("a replication is queued for the agent of the chosen remote mover's server", { timeout: 60_000 }, async (t) => {
  const { clock, repositories, hub, placement, server } = await cluster(t);
  await server('srv-b', 18);
  const chosen = await server('srv-c', 1);
  const events = new EventBus<ServerEvent>();
  const joblog = new JobLog({ repositories, clock, publish: (e) => events.publish(e) });
  const secrets = new SecretBox(randomBytes(32));
  const credentials = new VmwareCredentialService({
    credentials: repositories.vmwareCredentials,
    secrets,
    audit: new AuditService({ audit: repositories.audit }),
  });
  await credentials.create(
    { name: 'lab', vcenter_host: VCENTER, username: 'admin', password: 'secret', is_default: true },
    { principal: { userId: 'u-1', username: 'admin', role: 'admin', via: 'session', credentialId: 's-1' } },
  );
  const service = new ReplicationService({
    ...{ repositories, joblog, events, clock, logger: silent, hub, placement, credentials },
    // Not reached: a job queued for another server creates and attaches nothing here.
    volumes: {} as never,
    nbd: { endpoint: () => ({ via: 'agent_port' }), psk: new Map() },
  });
  const vm = await context(repositories, clock);
  const record = await service.start(vm);
  const job = await joblog.getJob(record.id);
  assert.deepEqual([job?.status, job?.agent_id, job?.lease_owner], ['pending', chosen, null]);
  assert.equal((await repositories.contexts.require(vm)).current_status, 'replicating');
});

function pick(placed: { serverId: string; local: boolean; reason: string }) {
  return { serverId: placed.serverId, local: placed.local, reason: placed.reason };
}
