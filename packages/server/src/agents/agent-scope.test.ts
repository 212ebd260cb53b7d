import assert from 'node:assert/strict';
import { test } from 'node:test';
import { scopeCovers } from './agent-scope';

test('an agent scope covers its vCenter hosts, a domain wildcard, or any host when empty', { timeout: 120_000 }, () => {
  assert.equal(scopeCovers([], 'vc1.example.com'), true);
  assert.equal(scopeCovers(['VC1.example.com.'], 'vc1.EXAMPLE.com'), true);
  assert.equal(scopeCovers(['vc1.example.com'], 'vc2.example.com'), false);
  assert.equal(scopeCovers(['*.lab.local'], 'vc.lab.local'), true);
  assert.equal(scopeCovers(['*.lab.local'], 'lab.local'), false);
  assert.equal(scopeCovers(['*.lab.local'], 'vc.otherlab.local'), false);
  assert.equal(scopeCovers(['127.0.0.1:18443'], '127.0.0.1:18443'), true);
});
