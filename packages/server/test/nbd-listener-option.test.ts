// The NBD target's own listener stays an option (docs/agent.md#one-port-from-agent-to-server): with
// MIGRATEKIT_NBD_LISTENER=on the replicate request sends the agent to that port, and the disk's bytes go there,
// not through the agent port.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startFencedStack } from './fenced-agent';

const MiB = 1024 * 1024;

test('MIGRATEKIT_NBD_LISTENER=on: agents write disks to the NBD target own port', { timeout: 120_000 }, async (t) => {
  const fenced = await startFencedStack(t, { MIGRATEKIT_NBD_LISTENER: 'on' });
  const port = fenced.stack.server.nbdPort;
  assert.ok(port !== undefined && port > 0);
  assert.equal(fenced.stack.server.composition.adapters.nbdTarget.port, port);
  const before = fenced.bytesThroughAgentPort();
  await fenced.replicate();
  // Only the control channel crossed the agent port: kilobytes, not the megabytes of the disk.
  const passed = fenced.bytesThroughAgentPort() - before;
  assert.ok(passed < 1 * MiB, `${passed} bytes passed the agent port`);
});
