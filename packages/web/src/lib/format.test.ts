import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { VmContext } from '../api/models';
import { sortVms } from '../pages/vms/vm-sort';
import { formatAge, formatBytes, formatDuration } from './format';

test('formatBytes uses binary units and one decimal below 100', { timeout: 120_000 }, () => {
  assert.equal(formatBytes(0), '0 B');
  assert.equal(formatBytes(1536), '1.5 KiB');
  assert.equal(formatBytes(8 * 1024 ** 3), '8.0 GiB');
  assert.equal(formatBytes(150 * 1024 ** 2), '150 MiB');
  assert.equal(formatBytes(null), '-');
});

test('formatAge reads past and future relative to now', { timeout: 120_000 }, () => {
  const now = Date.parse('2026-01-01T12:00:00Z');
  assert.equal(formatAge('2026-01-01T11:55:00Z', now), '5 min ago');
  assert.equal(formatAge('2026-01-01T14:00:00Z', now), 'in 2 h');
  assert.equal(formatAge('2025-12-29T12:00:00Z', now), '3 d ago');
  assert.equal(formatAge(null, now), '-');
});

test('formatDuration spans seconds to hours', { timeout: 120_000 }, () => {
  assert.equal(formatDuration('2026-01-01T00:00:00Z', '2026-01-01T00:00:42Z'), '42s');
  assert.equal(formatDuration('2026-01-01T00:00:00Z', '2026-01-01T01:02:03Z'), '1h 2m');
});

function vm(name: string, extra: Partial<VmContext> = {}): VmContext {
  const at = '2026-01-01T00:00:00Z';
  return {
    context_id: `ctx-${name}`,
    vm_name: name,
    vmware_vm_id: name,
    active_vmware_vm_id: name,
    vm_path: null,
    vcenter_host: null,
    datacenter: null,
    credential_id: null,
    cloudstack_config_id: null,
    current_status: 'discovered',
    current_job_id: null,
    total_jobs_run: 0,
    successful_jobs: 0,
    failed_jobs: 0,
    last_successful_job_id: null,
    cpu_count: null,
    memory_mb: null,
    os_type: null,
    firmware: null,
    power_state: null,
    vm_tools_status: null,
    created_at: at,
    updated_at: at,
    first_job_at: null,
    last_job_at: null,
    last_status_change: at,
    last_successful_sync_at: null,
    disk_capacity_bytes: null,
    ...extra,
  };
}

test(
  'sortVms sorts by name, size and last sync in both directions without mutating the input',
  { timeout: 120_000 },
  () => {
    const input = [
      vm('b', { disk_capacity_bytes: 5 }),
      vm('A', { disk_capacity_bytes: 9 }),
      // A later failed job does not count as a sync: only last_successful_sync_at sorts.
      vm('c', { last_successful_sync_at: '2026-01-02T00:00:00Z' }),
      vm('d', { last_job_at: '2026-01-03T00:00:00Z' }),
    ];
    assert.deepEqual(
      sortVms(input, { key: 'vm_name', dir: 'asc' }).map((v) => v.vm_name),
      ['A', 'b', 'c', 'd'],
    );
    assert.deepEqual(
      sortVms(input, { key: 'disk_capacity_bytes', dir: 'desc' }).map((v) => v.vm_name),
      ['A', 'b', 'c', 'd'],
    );
    assert.equal(sortVms(input, { key: 'last_sync', dir: 'desc' })[0]?.vm_name, 'c');
    assert.equal(input[0]?.vm_name, 'b');
  },
);
