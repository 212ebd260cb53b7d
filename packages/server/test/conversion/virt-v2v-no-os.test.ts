// Acceptance (docs/conversion.md, docs/failover.md): a disk without an operating system, through the real
// failover workflow and the server's real converter. A test failover fails at the conversion step with the tool's
// own message and is compensated: no target VM, no failover snapshot, the volume back on the server and the VM
// ready for failover again. A live failover of such a VM records the failure as a warning and completes. Both fail
// fast, at the tools' inspection (one libguestfs appliance start each): the two VMs differ in what vSphere says,
// a Linux guest (virt-v2v-in-place runs and fails) and "Other (64-bit)" (inspected first with virt-inspector).
// An inspection asked through the API then stores "no OS", and the failover pre-flight refuses with its words.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { VmSpec } from '@migratekit/sim-vcenter';
import { SOURCE_NETWORKS } from '../failover/failover-fixture';
import { cloudInventory, failOver, startConversionStack, volumeIdsOf, type ConversionStack } from './conversion-stack';
import { skipWithoutGuestTools } from './guest-fixture';

const MiB = 1024 * 1024;

function blankVm(name: string, guestId: string, guestFullName: string, index: number): VmSpec {
  return {
    name,
    host: 'esx01.lab.local',
    guest: 'linux',
    guestId,
    guestFullName,
    powerState: 'poweredOn',
    cbtEnabled: true,
    disks: [{ capacityBytes: 64 * MiB, datastore: 'DS-SSD-01' }],
    nics: [{ network: SOURCE_NETWORKS[0] as string, mac: `00:50:56:0b:${index.toString(16).padStart(2, '0')}:01` }],
  };
}

describe(
  'failover of a VM whose disk has no operating system',
  { timeout: 600_000, skip: skipWithoutGuestTools() },
  () => {
    let env: ConversionStack;
    before(async () => {
      env = await startConversionStack({
        vms: [
          blankVm('blank-linux', 'debian12_64Guest', 'Debian GNU/Linux 12 (64-bit)', 1),
          blankVm('blank-other', 'otherGuest64', 'Other (64-bit)', 2),
        ],
        conversionTimeoutSeconds: 300,
      });
    });
    after(async () => {
      await env.close();
    });

    test('a test failover fails at the conversion with the tool message and leaves nothing behind', async (t) => {
      const volumeIds = await volumeIdsOf(env, 'blank-linux');
      const started = Date.now();
      const done = await failOver(env, 'blank-linux', 'test', 400_000);
      t.diagnostic(`failed test failover took ${((Date.now() - started) / 1000).toFixed(1)} s`);
      assert.equal(done.status, 'failed', JSON.stringify(done));
      assert.equal(done.workflow_status, 'compensated');
      const conversion = done.steps.find((s) => s.name === 'convert guest' && s.kind === 'run');
      assert.equal(conversion?.status, 'failed');
      assert.equal(conversion.error_code, 'MKE_GUEST_CONVERSION_FAILED');
      assert.match(
        conversion.error_message ?? '',
        /^virt-v2v-in-place failed: virt-v2v-in-place: error: inspection could not detect the source guest/,
      );
      assert.match(done.error_message ?? '', /inspection could not detect the source guest/);
      assert.equal(
        done.steps.find((s) => s.name === 'create target VM'),
        undefined,
        'no step after the conversion ran',
      );

      const cloud = cloudInventory(env, volumeIds);
      assert.deepEqual(cloud.vmsOtherThanServer, [], 'no target VM');
      assert.deepEqual(cloud.failoverSnapshots, [], 'the snapshot step was compensated');
      assert.deepEqual(
        cloud.volumes.map((v) => v.vmId),
        volumeIds.map(() => cloud.serverVmId),
        'the volume is on the server',
      );
      for (const id of volumeIds)
        assert.ok(env.stack.server.composition.adapters.nbdTarget.hasVolumeExport(id), `${id} is exported`);
      const context = await env.api.call<{ current_status: string }>(
        'GET',
        `/api/v1/vm-contexts/${env.contexts.get('blank-linux') ?? ''}`,
      );
      assert.equal(context.body.current_status, 'ready_for_failover');
    });

    test('an inspection through the API stores "no OS" and the next pre-flight refuses with its words', async () => {
      const contextId = env.contexts.get('blank-linux') ?? '';
      const before = await env.api.call('GET', `/api/v1/vm-contexts/${contextId}/guest-inspection`);
      assert.equal(before.status, 404);
      const inspected = await env.api.call<{ os_family: string; convertible: boolean; reason: string | null }>(
        'POST',
        `/api/v1/vm-contexts/${contextId}/guest-inspection`,
      );
      assert.equal(inspected.status, 200, JSON.stringify(inspected.body));
      assert.equal(inspected.body.os_family, 'unknown');
      assert.equal(inspected.body.convertible, false);
      assert.match(inspected.body.reason ?? '', /no operating system/i);
      const stored = await env.api.call<{ reason: string | null }>(
        'GET',
        `/api/v1/vm-contexts/${contextId}/guest-inspection`,
      );
      assert.equal(stored.body.reason, inspected.body.reason);
      const config = await env.stack.server.services.failover.preflightConfig('test', 'blank-linux');
      const check = config.preflight.checks.find((c) => c.name === 'guest_conversion');
      assert.equal(check?.ok, false);
      assert.ok(check.message.includes(inspected.body.reason ?? '?'), check.message);
    });

    test('a live failover records the failed conversion as a warning and completes', async (t) => {
      const started = Date.now();
      const done = await failOver(env, 'blank-other', 'live', 400_000);
      t.diagnostic(`live failover took ${((Date.now() - started) / 1000).toFixed(1)} s`);
      assert.equal(done.status, 'completed', JSON.stringify(done));
      const conversion = done.steps.find((s) => s.name === 'convert guest' && s.kind === 'run');
      assert.equal(conversion?.status, 'completed');
      const output = conversion.output as { converted: boolean; skipped: boolean; warning: string };
      assert.equal(output.converted, false);
      assert.equal(output.skipped, false);
      // "Other (64-bit)": the converter inspected first; virt-inspector's own words say why.
      assert.match(
        output.warning,
        /^Guest conversion failed; continuing the live failover: the guest cannot be converted: /,
      );
      assert.match(output.warning, /no operating system/i);
      const target = cloudInventory(env, []).vmsOtherThanServer.find((vm) => vm.id === done.destination_vm_id);
      assert.equal(target?.state, 'Running');
      assert.equal(target.name, 'blank-other');
      assert.equal(env.estate.vcenter.listVms().find((vm) => vm.name === 'blank-other')?.powerState, 'poweredOff');
    });
  },
);
