// The process the kill -9 test runs: one workflow runner over a SQLite file and the parent's CloudStack
// simulator. MIGRATEKIT_CRASH_AT makes it SIGKILL itself at a step boundary; it prints the job id first.
//   node --import tsx crash-child.ts <database url> <simulator host:port> <server vm id> <server id> <volume name>
import { systemClock } from '@migratekit/core';
import { createRepositories, openDatabase } from '@migratekit/db';
import { JobLog } from '../../src/joblog';
import { createWorkflowRunner, crashHookFromEnv } from '../../src/workflows';
import { volumeWorkflows } from './sim-volume-workflow';
import { cloudStackClientFor } from './workflow-fixture';

const [databaseUrl, hostPort, serverVmId, serverId, volumeName] = process.argv.slice(2);
if (volumeName === undefined || databaseUrl === undefined || hostPort === undefined || serverVmId === undefined) {
  throw new Error('usage: crash-child.ts <database url> <host:port> <server vm id> <server id> <volume name>');
}
const crashHook = crashHookFromEnv();
if (crashHook === undefined) throw new Error('MIGRATEKIT_CRASH_AT is not set');

const database = openDatabase(databaseUrl);
const repositories = createRepositories(database.db, systemClock);
const workflows = volumeWorkflows({ client: cloudStackClientFor(hostPort), serverVmId });
const runner = createWorkflowRunner({
  repositories,
  joblog: new JobLog({ repositories, clock: systemClock, publish: () => undefined }),
  clock: systemClock,
  logger: { info: () => undefined, warn: () => undefined, error: (fields, message) => console.error(message, fields) },
  serverId: serverId ?? 'crash-child',
  workflows: Object.values(workflows),
  crashHook,
});
const { jobId } = await runner.start(workflows.resume, { volumeName });
process.stdout.write(`${JSON.stringify({ jobId })}\n`);
await runner.whenIdle();
// Reaching this line means the crash point was never hit.
process.stdout.write('finished without crashing\n');
await runner.close();
await database.close();
