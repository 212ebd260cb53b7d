import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ChangeTracker, parseChangeId } from './change-tracker';

test(
  'ChangeTracker: intervals between marks, union since an older id, stale and foreign ids refused',
  { timeout: 120_000 },
  () => {
    const t = new ChangeTracker(2);
    assert.equal(t.currentChangeId, undefined);
    t.recordWrite(0, 10); // before tracking: not recorded
    t.enable();
    const c0 = t.currentChangeId ?? '';
    assert.equal(parseChangeId(c0)?.seq, 0);
    t.recordWrite(100, 10);
    const c1 = t.mark() ?? '';
    t.recordWrite(105, 10);
    t.recordWrite(500, 1);
    const c2 = t.mark() ?? '';
    const since0 = t.changesSince(c0, c2);
    assert.ok(since0.ok);
    assert.deepEqual(since0.changed.areas(), [
      { start: 100, length: 15 },
      { start: 500, length: 1 },
    ]);
    const since1 = t.changesSince(c1, c2);
    assert.ok(since1.ok);
    assert.deepEqual(since1.changed.areas(), [
      { start: 105, length: 10 },
      { start: 500, length: 1 },
    ]);
    const until1 = t.changesSince(c0, c1);
    assert.ok(until1.ok);
    assert.deepEqual(until1.changed.areas(), [{ start: 100, length: 10 }]);
    assert.equal(t.changesSince(c2, c1).ok, false, 'from newer than to');

    t.mark(); // history keeps 2 intervals: c0 is now too old
    assert.equal(t.changesSince(c0, undefined).ok, false);
    assert.equal(t.changesSince(c1, undefined).ok, true);

    const other = new ChangeTracker();
    other.enable();
    assert.equal(other.changesSince(c1, undefined).ok, false, 'another session');
    t.disable();
    assert.equal(t.changesSince(c1, undefined).ok, false);
    assert.equal(parseChangeId('no-slash'), undefined);
  },
);
