// The ring of servers an agent walks: paired first, learned peers after it, round-robin; a list from the
// connected server updates peers by id and keeps the ones it does not name (they may be restarting).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { AgentCredential, PeerServer } from './protocol';
import { EndpointRing } from './server-endpoints';

const credential: AgentCredential = {
  agent_id: 'agent-1',
  secret: 'secret-secret-secret',
  server_fingerprint: 'AA:'.repeat(31) + 'AA',
  server_url: 'https://mk-1:8443',
};
const peer = (n: number, fingerprint = String(n).repeat(64)): PeerServer => ({
  id: `mk-${n}`,
  agent_url: `https://mk-${n}:8443`,
  fingerprint,
});

test('round-robin over the paired server and the learned peers; lists merge by id', { timeout: 120_000 }, () => {
  const ring = new EndpointRing({ ...credential, peers: [peer(2)] });
  assert.equal(ring.size, 2);
  assert.equal(ring.current.url, 'https://mk-1:8443', 'the paired server comes first');
  // The paired server appears in peers' lists (by its address and pin) and is not added twice.
  assert.equal(
    ring.learn([{ id: 'mk-1', agent_url: 'https://mk-1:8443', fingerprint: 'aa'.repeat(32) }, peer(3)]),
    true,
  );
  assert.deepEqual(
    ring.learned.map((p) => p.id),
    ['mk-2', 'mk-3'],
  );
  assert.equal(ring.advance().url, 'https://mk-2:8443');
  // Connected to mk-2, which names only mk-3 (mk-1 and itself are not in its list): nothing is forgotten.
  assert.equal(ring.learn([peer(3)]), false);
  assert.equal(ring.current.id, 'mk-2', 'the link stays where it is');
  // mk-3 came back with a new certificate: the entry is replaced, not duplicated.
  assert.equal(ring.learn([peer(3, 'f'.repeat(64))]), true);
  assert.deepEqual(
    ring.learned.map((p) => [p.id, p.fingerprint]),
    [
      ['mk-2', '2'.repeat(64)],
      ['mk-3', 'f'.repeat(64)],
    ],
  );
  assert.equal(ring.advance().id, 'mk-3');
  assert.equal(ring.advance().url, 'https://mk-1:8443', 'after the last peer, the paired server again');
});

test('past 32 peers, the ones the connected server no longer names are dropped first', { timeout: 120_000 }, () => {
  const many = Array.from({ length: 32 }, (_, n) => peer(n + 10, (n + 10).toString(16).padStart(64, '0')));
  const ring = new EndpointRing({ ...credential, peers: many });
  ring.learn([peer(99, 'e'.repeat(64))]);
  assert.equal(ring.learned.length, 32);
  assert.equal(ring.learned[0]?.id, 'mk-99');
});
