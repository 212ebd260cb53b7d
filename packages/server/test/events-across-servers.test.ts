// Two real servers (startServer) on one PostgreSQL, then one MariaDB, database (docs/scale-out.md): a dashboard
// on server A follows a job that server B runs, over GET /api/v1/events. Every event reaches A exactly once,
// carries the same data as on B's own stream, and B's stream has no echo of its own events.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { skipUnlessPeer } from '@migratekit/core';
import { createConnection } from 'mysql2/promise';
import pg from 'pg';
import { loadServerConfig } from '../src/config/server-config';
import { PostgresEventRelay } from '../src/events/postgres-event-relay';
import { createLogger } from '../src/logging/logger';
import { startServer, type RunningServer } from '../src/server-runtime';
import { openSse, type SseConnection, type SseFrame } from './sse-client';

interface EngineCase {
  name: string;
  adminUrl: string | undefined;
  create(adminUrl: string, database: string): Promise<string>;
  drop(adminUrl: string, database: string): Promise<void>;
}

function withDatabase(adminUrl: string, name: string): string {
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

async function pgAdmin(adminUrl: string, statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

async function mariadbAdmin(adminUrl: string, statement: string): Promise<void> {
  const connection = await createConnection(adminUrl);
  try {
    await connection.query(statement);
  } finally {
    await connection.end();
  }
}

const ENGINES: EngineCase[] = [
  {
    name: 'postgres',
    adminUrl: process.env.MIGRATEKIT_TEST_PG_URL,
    create: async (adminUrl, name) => {
      await pgAdmin(adminUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await pgAdmin(adminUrl, `CREATE DATABASE ${name}`);
      return withDatabase(adminUrl, name);
    },
    drop: (adminUrl, name) => pgAdmin(adminUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`),
  },
  {
    name: 'mariadb',
    adminUrl: process.env.MIGRATEKIT_TEST_MARIADB_URL,
    create: async (adminUrl, name) => {
      await mariadbAdmin(adminUrl, `DROP DATABASE IF EXISTS ${name}`);
      await mariadbAdmin(adminUrl, `CREATE DATABASE ${name} CHARACTER SET utf8mb4 COLLATE utf8mb4_bin`);
      return withDatabase(adminUrl, name);
    },
    drop: (adminUrl, name) => mariadbAdmin(adminUrl, `DROP DATABASE IF EXISTS ${name}`),
  },
];

const dataOf = (frame: SseFrame): Record<string, unknown> => JSON.parse(frame.data ?? '{}') as Record<string, unknown>;

/** The frames of one job (its job.updated, job.step and job.log events), as `event data` lines. */
function jobFrames(stream: SseConnection, jobId: string): string[] {
  return stream.frames
    .filter(
      (f) =>
        f.event !== undefined &&
        (dataOf(f).job_id === jobId || (dataOf(f).job as { id?: string } | undefined)?.id === jobId),
    )
    .map((f) => `${f.event ?? ''} ${f.data ?? ''}`);
}

for (const engine of ENGINES) {
  const skip = skipUnlessPeer(`${engine.name} (test database URL)`, engine.adminUrl !== undefined);
  describe(`events across servers [${engine.name}]`, { timeout: 300_000, skip }, () => {
    const database = `migratekit_events_${engine.name === 'postgres' ? 'pg' : 'maria'}`;
    const root = mkdtempSync(join(tmpdir(), 'migratekit-events-'));
    const servers: RunningServer[] = [];
    let adminHeaders: Record<string, string> = {};

    async function start(serverId: string, databaseUrl: string): Promise<RunningServer> {
      const config = loadServerConfig({
        MIGRATEKIT_DATA_DIR: join(root, serverId),
        DATABASE_URL: databaseUrl,
        MIGRATEKIT_SERVER_ID: serverId,
        HOST: '127.0.0.1',
        PORT: '0',
        MIGRATEKIT_AGENT_PORT: '0',
        MIGRATEKIT_AGENT_HOST: '127.0.0.1',
        MIGRATEKIT_NBD_HOST: '127.0.0.1',
        MIGRATEKIT_BY_ID_DIR: root,
        MIGRATEKIT_ADMIN_PASSWORD: 'events-admin-password',
      });
      const server = await startServer({
        config,
        logger: createLogger({ level: 'silent' }),
        settings: { schedulerEnabled: false, events: { pollIntervalMs: 50, reconnectDelayMs: 100 } },
      });
      servers.push(server);
      return server;
    }

    before(async () => {
      const url = await engine.create(engine.adminUrl ?? '', database);
      const a = await start('server-a', url);
      await start('server-b', url);
      assert.equal(a.bootstrap.created, true);
      if (!a.bootstrap.created) return;
      const token = await a.services.apiTokens.issue(a.bootstrap.userId, 'dashboard');
      adminHeaders = { authorization: `Bearer ${token.token}` };
    });

    after(async () => {
      for (const server of servers.splice(0).reverse()) await server.close();
      await engine.drop(engine.adminUrl ?? '', database);
      rmSync(root, { recursive: true, force: true });
    });

    /** Runs a job on B with a dashboard on A and one on B; returns the job's frames each stream got. */
    async function followJobOfB(label: string): Promise<{ onA: string[]; onB: string[] }> {
      const [a, b] = servers;
      assert.ok(a !== undefined && b !== undefined);
      const onA = await openSse(`${a.url}/api/v1/events`, adminHeaders);
      const onB = await openSse(`${b.url}/api/v1/events`, adminHeaders);
      try {
        assert.equal(onA.status, 200);
        await onA.waitFor((f) => f.comment === 'connected');
        await onB.waitFor((f) => f.comment === 'connected');
        const joblog = b.composition.adapters.joblog;
        const job = await joblog.startJob({ jobType: 'replication', operation: `copy ${label} on B` });
        await joblog.runStep(job.id, 'copy disks', (step) => step.log('info', `${label} copied`, { bytes: 4096 }));
        await joblog.completeJob(job.id);
        // A second job after the first: once A has its start, every event of the first had its chance to repeat.
        const marker = await joblog.startJob({ jobType: 'replication', operation: 'marker' });
        const isMarker = (f: SseFrame): boolean =>
          f.event === 'job.updated' && (dataOf(f).job as { id?: string }).id === marker.id;
        await onB.waitFor(isMarker, 20_000);
        await onA.waitFor(isMarker, 20_000);
        return { onA: jobFrames(onA, job.id), onB: jobFrames(onB, job.id) };
      } finally {
        onA.close();
        onB.close();
      }
    }

    function assertOnceAsOnB(seen: { onA: string[]; onB: string[] }, label: string): void {
      assert.ok(seen.onB.length >= 4, `B's stream has the job's events: ${seen.onB.length}`);
      assert.ok(seen.onB.some((f) => f.startsWith('job.log ') && f.includes(`${label} copied`)));
      assert.deepEqual(seen.onA, seen.onB, 'A gets every event once, equal to what B streams');
      const completed = seen.onA.filter((f) => f.startsWith('job.updated ') && f.includes('"status":"completed"'));
      assert.equal(completed.length, 1);
    }

    test(`[${engine.name}] a dashboard on server A sees server B's job once, as B's own stream shows it`, async () => {
      const relay = servers[0]?.composition.adapters.eventRelay;
      assert.equal(relay?.mode, engine.name === 'postgres' ? 'postgres-notify' : 'mariadb-poll');
      assertOnceAsOnB(await followJobOfB('web01'), 'web01');
    });

    // LISTEN exists on PostgreSQL only.
    if (engine.name === 'postgres')
      test(`[${engine.name}] after A's LISTEN connection is killed it reconnects and the next job arrives once`, async () => {
        const relay = servers[0]?.composition.adapters.eventRelay;
        assert.ok(relay instanceof PostgresEventRelay && relay.listening);
        await pgAdmin(
          withDatabase(engine.adminUrl ?? '', database),
          "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'migratekit-events server-a'",
        );
        // The relay notices the loss, then reconnects after reconnectDelayMs (100 ms here).
        for (let i = 0; i < 200 && relay.listening; i++) await new Promise((r) => setTimeout(r, 10));
        assert.equal(relay.listening, false, 'the loss was noticed');
        for (let i = 0; i < 500 && !relay.listening; i++) await new Promise((r) => setTimeout(r, 10));
        assert.equal(relay.listening, true, 'listening again');
        assertOnceAsOnB(await followJobOfB('db02'), 'db02');
      });
  });
}
