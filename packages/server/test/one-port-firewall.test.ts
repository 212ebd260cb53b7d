// The firewall test of docs/agent.md#one-port-from-agent-to-server: the agent reaches nothing of the server but the
// agent port (it is given only a relay in front of that port, and the NBD target has no listener of its own), and
// discovery and a replication still run end to end, the disk's bytes passing through that one port.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startFencedStack } from './fenced-agent';

const MiB = 1024 * 1024;

test('firewall: with only the agent port reachable, replication works end to end', { timeout: 120_000 }, async (t) => {
  const fenced = await startFencedStack(t);
  // No NBD port at all: the default configuration.
  assert.equal(fenced.stack.server.nbdPort, undefined);
  assert.equal(fenced.stack.server.composition.adapters.nbdTarget.port, 0);
  const before = fenced.bytesThroughAgentPort();
  await fenced.replicate();
  // Megabytes of disk data, where the control channel alone carries kilobytes (zero blocks of the seeded data
  // travel as WRITE_ZEROES, so fewer than the 6 MiB seeded).
  const passed = fenced.bytesThroughAgentPort() - before;
  assert.ok(passed >= 4 * MiB, `only ${passed} bytes passed the agent port`);
});
