import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { STATUS_SETS, jobStatuses, replicationJobStatuses, statusKind, UNFINISHED_JOB_STATUSES } from './index';

describe('the status catalogue', { timeout: 10_000 }, () => {
  test('every transition target is a status of its own set, and no status moves to itself', () => {
    for (const set of STATUS_SETS) {
      assert.ok(set.values.length > 0, set.name);
      assert.equal(new Set(set.values).size, set.values.length, `${set.name}: duplicate status`);
      for (const from of set.values) {
        for (const to of set.transitions[from] ?? []) {
          assert.ok(set.is(to), `${set.name}: ${from} -> ${to} names no status`);
          assert.notEqual(from, to, `${set.name}: ${from} -> itself`);
        }
      }
    }
  });

  test('allowedSources inverts the transition table', () => {
    for (const set of STATUS_SETS) {
      for (const to of set.values) {
        const sources = set.allowedSources(to);
        for (const from of set.values) assert.equal(sources.includes(from), set.canTransition(from, to));
      }
    }
  });

  test('a status name means the same kind in every set, so one badge colour fits all', () => {
    const kinds = new Map<string, string>();
    for (const set of STATUS_SETS) {
      for (const status of set.values) {
        const seen = kinds.get(status);
        if (seen !== undefined) assert.equal(set.kinds[status], seen, `${set.name}: ${status}`);
        kinds.set(status, set.kinds[status] ?? '');
        assert.equal(statusKind(status), seen ?? set.kinds[status]);
      }
    }
    assert.equal(statusKind('poweredOn'), undefined);
  });

  test('every status is an initial one or can be reached from one', () => {
    for (const set of STATUS_SETS) {
      for (const start of set.initial) assert.ok(set.is(start), `${set.name}: initial ${start}`);
      const reached = new Set<string | undefined>(set.initial);
      for (let changed = true; changed;) {
        changed = false;
        for (const from of [...reached])
          for (const to of from === undefined ? [] : (set.transitions[from] ?? []))
            if (!reached.has(to)) {
              reached.add(to);
              changed = true;
            }
      }
      assert.deepEqual(
        set.values.filter((s) => !reached.has(s)),
        [],
        `${set.name}: unreachable statuses`,
      );
    }
  });

  test('a job ends once: final statuses have no way out', () => {
    assert.deepEqual(UNFINISHED_JOB_STATUSES, ['pending', 'running']);
    assert.equal(jobStatuses.canTransition('completed', 'failed'), false);
    assert.deepEqual(replicationJobStatuses.allowedSources('cancelled'), ['pending', 'replicating']);
    assert.ok(jobStatuses.isFinal('interrupted'));
  });
});
