import assert from 'node:assert/strict';
import { test } from 'node:test';
import { skipUnlessPeer } from './peers';

test('a missing peer skips locally and fails when peers are required', { timeout: 120_000 }, () => {
  assert.equal(skipUnlessPeer('nbdkit', true, {}), false);
  assert.match(String(skipUnlessPeer('nbdkit', false, {})), /nbdkit is not installed/);
  assert.throws(() => skipUnlessPeer('nbdkit', false, { MIGRATEKIT_REQUIRE_PEERS: '1' }), /required/);
});
