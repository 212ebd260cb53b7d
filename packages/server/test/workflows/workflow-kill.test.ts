// A real kill -9: a child process runs a workflow over a SQLite file and the CloudStack simulator of this process,
// and MIGRATEKIT_CRASH_AT makes it SIGKILL itself at a step boundary. This process then recovers the job, as the
// restarted server (same id, at once) or as another server (once the lease expired), and checks the simulator.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createSqliteTestDatabase, type TestDatabase } from '@migratekit/db/testing';
import { CRASH_AT_VARIABLE, DEFAULT_LEASE } from '../../src/workflows';
import {
  assertNothingOrphaned,
  createHarness,
  jobOf,
  removeResources,
  resourcesOf,
  startSimCloud,
  uniqueVolumeName,
  type SimCloudHandle,
} from './workflow-fixture';

const ROOT = resolve(import.meta.dirname, '..', '..', '..', '..');
const CHILD = resolve(import.meta.dirname, 'crash-child.ts');

interface ChildResult {
  jobId: string;
  signal: NodeJS.Signals | null;
  stderr: string;
}

function runChild(
  database: TestDatabase,
  cloud: SimCloudHandle,
  crashAt: string,
  serverId: string,
  volumeName: string,
): Promise<ChildResult> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', CHILD, database.url, cloud.sim.hostPort, cloud.serverVmId, serverId, volumeName],
    { cwd: ROOT, env: { ...process.env, [CRASH_AT_VARIABLE]: crashAt }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  return new Promise((resolveExit, reject) => {
    // Bounded: the child compiles TypeScript on a shared machine before it starts.
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the child did not crash within 90 s\n${stdout}\n${stderr}`));
    }, 90_000);
    child.on('exit', (_code, signal) => {
      clearTimeout(timer);
      const line = stdout.split('\n').find((l) => l.startsWith('{'));
      if (line === undefined) {
        reject(new Error(`the child printed no job id\n${stdout}\n${stderr}`));
        return;
      }
      resolveExit({ jobId: (JSON.parse(line) as { jobId: string }).jobId, signal, stderr });
    });
  });
}

describe('workflow kill -9', { timeout: 240_000 }, () => {
  let cloud: SimCloudHandle;
  let database: TestDatabase;
  before(async () => {
    cloud = await startSimCloud();
    database = await createSqliteTestDatabase();
  });
  after(async () => {
    await database.drop();
    await cloud.close();
  });

  test('killed after "attach volume" happened: the restarted server (same id) inspects and finishes', async () => {
    const volumeName = uniqueVolumeName('kill-restart');
    const child = await runChild(database, cloud, 'sim-volume-resume:attach volume:after', 'server-k', volumeName);
    assert.equal(child.signal, 'SIGKILL', child.stderr);
    const harness = createHarness(cloud, database, new Date());
    const left = await jobOf(harness, child.jobId);
    assert.equal(left.status, 'running');
    assert.equal(left.lease_owner, 'server-k');
    assert.equal(resourcesOf(cloud, volumeName).volumes[0]?.vmId, cloud.serverVmId, 'attached, not recorded');

    try {
      const restarted = harness.runner('server-k');
      assert.deepEqual(await restarted.recover(), [child.jobId], 'its own job is taken back at once');
      await restarted.whenIdle();
      const job = await assertNothingOrphaned(harness, child.jobId, volumeName);
      assert.equal(job.status, 'completed');
      const steps = await harness.repositories.workflowSteps.listSteps(child.jobId);
      assert.deepEqual(
        steps.map((s) => [s.name, s.status]),
        [
          ['create volume', 'completed'],
          ['attach volume', 'completed'],
          ['snapshot volume', 'completed'],
        ],
      );
      await removeResources(cloud, volumeName);
    } finally {
      await harness.closeRunners();
    }
  });

  test('killed inside a compensation: another server takes over after the lease and compensates to nothing', async () => {
    const volumeName = uniqueVolumeName('kill-compensate');
    cloud.sim.controls.failJobs('createSnapshot', 1);
    const child = await runChild(
      database,
      cloud,
      'sim-volume-resume:compensate: create volume:during',
      'server-dead',
      volumeName,
    );
    assert.equal(child.signal, 'SIGKILL', child.stderr);
    const harness = createHarness(cloud, database, new Date());
    assert.equal((await jobOf(harness, child.jobId)).status, 'compensating');

    try {
      const early = harness.runner('server-early');
      assert.deepEqual(await early.recover(), [], 'the dead server still holds a valid lease');
      await early.close();
      await harness.clock.advance(DEFAULT_LEASE.leaseMs + 1);
      const other = harness.runner('server-other');
      assert.deepEqual(await other.recover(), [child.jobId]);
      await other.whenIdle();
      const job = await assertNothingOrphaned(harness, child.jobId, volumeName);
      assert.equal(job.status, 'compensated');
      assert.match(job.error_message ?? '', /snapshot volume/);
    } finally {
      await harness.closeRunners();
    }
  });
});
