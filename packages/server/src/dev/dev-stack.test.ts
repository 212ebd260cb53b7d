// The `migratekit dev` server part (estate: false; cli-dev.test.ts runs the full stack) on a real port and data
// directory: first start, the printed login, the CLI token, and a restart that keeps the data and marks the job
// left running as interrupted.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { createLogger } from '../logging/logger';
import { startDevStack } from './dev-stack';

test(
  'dev stack: health, printed login, CLI token, restart keeps data and interrupts unfinished jobs',
  { timeout: 120_000 },
  async (t) => {
    const dataDir = mkdtempSync(join(tmpdir(), 'mk-dev-'));
    t.after(() => rmSync(dataDir, { recursive: true, force: true }));
    const env = { MIGRATEKIT_DATA_DIR: dataDir, PORT: '0', LOG_LEVEL: 'silent' };
    const logger = createLogger({ level: 'silent' });

    const lines: string[] = [];
    const first = await startDevStack({ env, logger, estate: false, out: (line) => lines.push(line) });
    let runningJobId: string;
    try {
      assert.match(first.url, /^http:\/\/127\.0\.0\.1:\d+$/);
      const banner = lines.join('\n');
      assert.match(banner, new RegExp(`URL: +${first.url}\n`));
      const password = /Login: +admin \/ (\S+)/.exec(banner)?.[1];
      assert.ok(password !== undefined && password.length >= 16, banner);

      const health = await fetch(`${first.url}/api/v1/health`);
      assert.equal(health.status, 200);
      assert.equal(((await health.json()) as { database: string }).database, 'sqlite');

      const jobs = await fetch(`${first.url}/api/v1/jobs`);
      assert.equal(jobs.status, 401);
      assert.equal(((await jobs.json()) as { error: { code: string } }).error.code, 'MKE_UNAUTHENTICATED');

      const login = await fetch(`${first.url}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'admin', password }),
      });
      assert.equal(login.status, 200);
      const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
      assert.equal((await fetch(`${first.url}/api/v1/jobs`, { headers: { cookie } })).status, 200);

      for (const file of ['cli-token', 'master.key', 'admin-password']) {
        assert.equal(statSync(join(dataDir, file)).mode & 0o777, 0o600, file);
      }
      const cliToken = readFileSync(join(dataDir, 'cli-token'), 'utf8').trim();
      const me = await fetch(`${first.url}/api/v1/auth/me`, { headers: { authorization: `Bearer ${cliToken}` } });
      assert.equal(((await me.json()) as { user: { role: string } }).user.role, 'admin');

      runningJobId = (await first.server.services.jobs.startJob({ jobType: 'replication', operation: 'left running' }))
        .id;
    } finally {
      await first.close();
    }

    const again: string[] = [];
    const second = await startDevStack({ env, logger, estate: false, out: (line) => again.push(line) });
    try {
      assert.deepEqual(
        again.find((l) => l.includes('Login:')),
        lines.find((l) => l.includes('Login:')),
        'the same login is printed after a restart',
      );
      const cliToken = readFileSync(join(dataDir, 'cli-token'), 'utf8').trim();
      const job = await fetch(`${second.url}/api/v1/jobs/${runningJobId}`, {
        headers: { authorization: `Bearer ${cliToken}` },
      });
      assert.equal(job.status, 200, 'the CLI token and the job survived the restart');
      const body = (await job.json()) as { status: string; error_code: string };
      assert.deepEqual([body.status, body.error_code], ['interrupted', 'MKE_JOB_INTERRUPTED']);
    } finally {
      await second.close();
    }
  },
);

test(
  'dev stack: request lines are debug, out of the default info log on the terminal',
  { timeout: 60_000 },
  async (t) => {
    const dataDir = mkdtempSync(join(tmpdir(), 'mk-dev-log-'));
    t.after(() => rmSync(dataDir, { recursive: true, force: true }));
    const lines: string[] = [];
    const logger = createLogger({ level: 'debug', destination: { write: (line: string) => void lines.push(line) } });
    const stack = await startDevStack({
      env: { MIGRATEKIT_DATA_DIR: dataDir, PORT: '0', LOG_LEVEL: 'debug' },
      logger,
      estate: false,
      out: () => undefined,
    });
    try {
      const response = await fetch(`${stack.url}/api/v1/agents`);
      assert.equal(response.status, 401);
    } finally {
      // After close the response hook has run: no wait on a log line that may still be on its way.
      await stack.close();
    }
    const requests = lines
      .map((line) => JSON.parse(line) as { msg?: string; level?: number; path?: string })
      .filter((entry) => entry.msg === 'request' && entry.path === '/api/v1/agents');
    assert.equal(requests.length, 1, lines.join(''));
    assert.equal(requests[0]?.level, 20, 'debug');
  },
);
