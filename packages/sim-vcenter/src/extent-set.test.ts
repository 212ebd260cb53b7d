import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ExtentSet } from './extent-set';

test('ExtentSet merges overlapping and adjacent ranges and clips queries', { timeout: 120_000 }, () => {
  const s = new ExtentSet();
  s.add(100, 50);
  s.add(0, 10);
  s.add(150, 10); // adjacent to [100,150)
  s.add(120, 100); // overlaps
  s.add(500, 0); // empty: ignored
  assert.deepEqual(s.areas(), [
    { start: 0, length: 10 },
    { start: 100, length: 120 },
  ]);
  assert.equal(s.totalBytes, 130);
  assert.deepEqual(s.areas(5, 110), [
    { start: 5, length: 5 },
    { start: 100, length: 10 },
  ]);
  s.add(10, 90); // bridges the gap
  assert.deepEqual(s.areas(), [{ start: 0, length: 220 }]);
  assert.deepEqual(ExtentSet.fromJSON(s.toJSON()).areas(), s.areas());
  assert.equal(s.contains(219), true);
  assert.equal(s.contains(220), false);
});
