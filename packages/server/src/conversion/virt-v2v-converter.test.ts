// The converter's decisions that need no libguestfs: what a server without the tools is told, a missing disk,
// the tool's error text without its bug-report advice, and vSphere guestIds mapped to OS families.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { isMigrateKitError, systemClock } from '@migratekit/core';
import pino from 'pino';
import { osFamilyFromGuestId } from './guest-os';
import { toolErrorText, VirtV2vConverter } from './virt-v2v-converter';

function converter(env: NodeJS.ProcessEnv): VirtV2vConverter {
  return new VirtV2vConverter({
    clock: systemClock,
    logger: pino({ level: 'silent' }),
    conversionTimeoutMs: 60_000,
    inspectionTimeoutMs: 60_000,
    env,
  });
}

describe('VirtV2vConverter without libguestfs', { timeout: 30_000 }, () => {
  test('a server without the tools is told which Debian packages to install', async () => {
    const availability = await converter({ PATH: '/nonexistent' }).availability();
    assert.equal(availability.available, false);
    assert.equal(
      availability.reason,
      'guest conversion needs virt-v2v-in-place (Debian package virt-v2v) and virt-inspector (Debian package libguestfs-tools)',
    );
  });

  test('a device that does not exist fails before any tool runs', async () => {
    await assert.rejects(
      converter({ PATH: '/nonexistent' }).convert({
        devices: ['/nonexistent/disk.img'],
        osFamily: 'linux',
        onLine: () => undefined,
        signal: new AbortController().signal,
        timeoutMs: 1_000,
      }),
      (error: unknown) =>
        isMigrateKitError(error) &&
        error.code === 'MKE_GUEST_CONVERSION_FAILED' &&
        error.message === 'guest disk /nonexistent/disk.img does not exist on this server',
    );
  });

  test("the tool's error text runs from its error line and leaves out the bug-report advice", () => {
    const text = toolErrorText({
      tail: [],
      stderrTail: [
        'virt-v2v-in-place: warning: something harmless',
        'virt-v2v-in-place: error: inspection could not detect the source guest (or physical machine).',
        'No root device found in this operating system image.',
        'If reporting bugs, run virt-v2v-in-place with debugging enabled and include the complete output:',
        'virt-v2v-in-place -v -x [...]',
      ],
    });
    assert.equal(
      text,
      'virt-v2v-in-place: error: inspection could not detect the source guest (or physical machine). No root device found in this operating system image.',
    );
  });

  test('vSphere guest full names (the context os_type) map to OS families', () => {
    assert.deepEqual(
      [
        'Microsoft Windows Server 2019 (64-bit)',
        'Microsoft Windows 10 (64-bit)',
        'Debian GNU/Linux 12 (64-bit)',
        'Red Hat Enterprise Linux 9 (64-bit)',
        'CentOS 7 (64-bit)',
        'Ubuntu Linux (64-bit)',
        'Other 5.x or later Linux (64-bit)',
        'Other (64-bit)',
        'FreeBSD 13 (64-bit)',
        'Oracle Solaris 11 (64-bit)',
      ].map(osFamilyFromGuestId),
      ['windows', 'windows', 'linux', 'linux', 'linux', 'linux', 'linux', 'unknown', 'other', 'other'],
    );
  });

  test('vSphere guestIds map to OS families', () => {
    assert.deepEqual(
      [
        'windows9Server64Guest',
        'winNetStandardGuest',
        'debian11_64Guest',
        'otherLinux64Guest',
        'rhel8_64Guest',
        'otherGuest64',
        'solaris11_64Guest',
        null,
      ].map(osFamilyFromGuestId),
      ['windows', 'windows', 'linux', 'linux', 'linux', 'unknown', 'other', 'unknown'],
    );
  });
});
