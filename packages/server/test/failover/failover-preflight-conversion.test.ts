// The failover pre-flight says what the conversion step will do before anything changes (docs/conversion.md): a
// Windows guest on a server without virtio-win drivers is refused with that reason (not failed mid-failover), a
// Linux guest will be converted, and an operator who skips conversion is not asked about it.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { skipUnlessPeer } from '@migratekit/core';
import { settledStatus } from './failover-crash-fixture';
import { startFailoverStack, twoDiskVm, type FailoverStack } from './failover-fixture';

const virtV2vInstalled = existsSync('/usr/bin/virt-v2v-in-place');
const WINDOWS = {
  ...twoDiskVm('win-01', 61),
  guest: 'windows' as const,
  guestId: 'windows2019srv_64Guest',
  guestFullName: 'Microsoft Windows Server 2019 (64-bit)',
};

describe(
  'failover pre-flight of the guest conversion',
  { timeout: 180_000, skip: skipUnlessPeer('virt-v2v-in-place', virtV2vInstalled) },
  () => {
    let env: FailoverStack;
    before(async () => {
      // Conversion on, and no MIGRATEKIT_VIRTIO_WIN: Windows guests cannot be converted on this server.
      env = await startFailoverStack([WINDOWS, twoDiskVm('lin-01', 62)], {
        MIGRATEKIT_CONVERTER: 'auto',
        MIGRATEKIT_VIRTIO_WIN: '',
      });
    });
    after(async () => {
      await env.close();
    });

    const conversionCheck = async (vm: string, type: 'test' | 'live', skip = false) => {
      const config = await env.stack.server.services.failover.preflightConfig(type, vm, { skip_conversion: skip });
      return { report: config.preflight, check: config.preflight.checks.find((c) => c.name === 'guest_conversion') };
    };

    test('a Windows guest without virtio-win drivers is refused before the failover starts', async () => {
      for (const type of ['test', 'live'] as const) {
        const { report, check } = await conversionCheck('win-01', type);
        assert.equal(report.ok, false, type);
        assert.equal(check?.ok, false, type);
        assert.match(check.message, /windows guest cannot be converted: .*MIGRATEKIT_VIRTIO_WIN/);
      }
      // Started anyway through the API: the workflow's validate step refuses with the same reason, before any
      // snapshot or VM exists.
      const started = await env.stack.server.services.failover.start({ vm: 'win-01', type: 'test' });
      const view = await settledStatus(env.stack.server.services.failover, started.job_id);
      assert.equal(view.status, 'failed');
      assert.match(view.error_message ?? '', /MIGRATEKIT_VIRTIO_WIN/);
      assert.deepEqual(
        view.steps.filter((step) => step.kind === 'run').map((step) => [step.name, step.status]),
        [['validate', 'failed']],
      );
      assert.equal(view.volume_snapshots, null);
    });

    test('a Linux guest will be converted; skipping conversion leaves the check out', async () => {
      const linux = await conversionCheck('lin-01', 'test');
      assert.equal(linux.check?.ok, true);
      assert.match(linux.check.message, /linux guest will be converted for KVM/);
      const skipped = await conversionCheck('win-01', 'test', true);
      assert.equal(skipped.check, undefined);
      assert.equal(skipped.report.ok, true, JSON.stringify(skipped.report.checks));
    });
  },
);
