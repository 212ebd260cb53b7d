// The repositories use the status catalogue of @migratekit/core (docs/statuses.md) and no status of their own:
// the record types are the catalogue's (checked by the compiler below), and every status literal the SQL
// writes or filters on is a status of the catalogue (checked by reading the repository sources).
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import {
  STATUS_SETS,
  jobStatuses,
  replicationJobStatuses,
  type ContextStatus,
  type FailoverJobStatus,
  type JobStatus,
  type JobStepStatus,
  type NetworkMappingValidationStatus,
  type ReplicationJobStatus,
  type ScheduleExecutionStatus,
  type VolumeOperationStatus,
} from '@migratekit/core';
import {
  JOB_STATUSES,
  REPLICATION_JOB_STATUSES,
  type ContextRecord,
  type FailoverJobRecord,
  type JobRecord,
  type JobStepRecord,
  type NetworkMappingRecord,
  type ReplicationJobRecord,
  type ScheduleExecutionRecord,
  type VolumeOperationRecord,
} from '../src';

type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
// Each line fails to compile when a record's status type drifts from the catalogue.
const recordStatusesAreTheCatalogues: [
  Same<ContextRecord['current_status'], ContextStatus>,
  Same<JobRecord['status'], JobStatus>,
  Same<JobStepRecord['status'], JobStepStatus>,
  Same<ReplicationJobRecord['status'], ReplicationJobStatus>,
  Same<FailoverJobRecord['status'], FailoverJobStatus>,
  Same<VolumeOperationRecord['status'], VolumeOperationStatus>,
  Same<NetworkMappingRecord['validation_status'], NetworkMappingValidationStatus>,
  Same<ScheduleExecutionRecord['status'], ScheduleExecutionStatus>,
] = [true, true, true, true, true, true, true, true];

const repositoryDir = join(import.meta.dirname, '..', 'src', 'repositories');
// `status: 'x'` in inserts and updates, `.where('status', '=', 'x')` and `.where('status', 'in', ['x', ...])`.
const STATUS_LITERAL = /\b(?:status|current_status|validation_status)['"]?\s*(?::|,\s*'(?:=|in)',)\s*\[?([^\])\n]*)/g;

function statusLiteralsOf(source: string): string[] {
  const found: string[] = [];
  for (const match of source.matchAll(STATUS_LITERAL))
    for (const literal of (match[1] ?? '').matchAll(/'([a-z_]+)'/g)) if (literal[1]) found.push(literal[1]);
  return found;
}

describe('repositories use the status catalogue', { timeout: 10_000 }, () => {
  test('record status types are the catalogue types', () => {
    assert.ok(recordStatusesAreTheCatalogues.every(Boolean));
  });

  test('the exported status lists are the catalogue lists', () => {
    assert.equal(JOB_STATUSES, jobStatuses.values);
    assert.equal(REPLICATION_JOB_STATUSES, replicationJobStatuses.values);
  });

  test('every status literal in the repositories is a catalogue status', () => {
    const known = new Set(STATUS_SETS.flatMap((set) => set.values));
    const files = readdirSync(repositoryDir).filter((f) => f.endsWith('.repository.ts'));
    const literals: string[] = [];
    for (const file of files) {
      const found = statusLiteralsOf(readFileSync(join(repositoryDir, file), 'utf8'));
      literals.push(...found);
      for (const status of found) assert.ok(known.has(status), `${file}: '${status}' is no catalogue status`);
    }
    // The scan itself works: it finds the literals we know are there.
    assert.ok(literals.includes('running') && literals.includes('executing'), literals.join(','));
    assert.deepEqual(statusLiteralsOf(".where('status', 'in', ['pending', 'canceled'])"), ['pending', 'canceled']);
  });
});
