// The real Debian guest the conversion tests convert (built once per machine by scripts/build-test-guest.sh,
// which scripts/install-peers.sh runs), the libguestfs tools they need, and a scratch directory per test.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { systemClock } from '@migratekit/core';
import { skipUnlessPeer } from '@migratekit/core';
import pino from 'pino';
import { CONVERTER_TOOLS } from '../../src/conversion/converter-prerequisites';
import { kvmUsable } from '../../src/conversion/kvm-acceleration';
import { VirtV2vConverter } from '../../src/conversion/virt-v2v-converter';

export const run = promisify(execFile);

const peersDir = process.env.MIGRATEKIT_PEERS_DIR ?? '/var/cache/migratekit-peers';
export const GUEST_IMAGE = process.env.MIGRATEKIT_TEST_GUEST_IMAGE ?? join(peersDir, 'guest', 'debian-guest.img');

function onPath(command: string): boolean {
  return (process.env.PATH ?? '').split(':').some((dir) => dir !== '' && existsSync(join(dir, command)));
}

const toolsInstalled = [...CONVERTER_TOOLS.map((t) => t.command), 'guestfish', 'lsinitramfs'].every(onPath);

/** node:test `skip`: the tools and the built guest image, required in CI (MIGRATEKIT_REQUIRE_PEERS=1). */
export function skipWithoutGuestTools(): string | false {
  if (!toolsInstalled) return skipUnlessPeer('virt-v2v and libguestfs-tools', false);
  return skipUnlessPeer(`the test guest image ${GUEST_IMAGE} (scripts/build-test-guest.sh)`, existsSync(GUEST_IMAGE));
}

/** libguestfs as it must run here: no libvirt daemon, and TCG when KVM is not usable (as the converter decides). */
export const LIBGUESTFS_ENV: NodeJS.ProcessEnv = {
  ...process.env,
  LIBGUESTFS_BACKEND: 'direct',
  ...(kvmUsable() ? {} : { LIBGUESTFS_BACKEND_SETTINGS: 'force_tcg' }),
};

export function createConverter(): VirtV2vConverter {
  return new VirtV2vConverter({
    clock: systemClock,
    logger: pino({ level: 'silent' }),
    conversionTimeoutMs: 600_000,
    inspectionTimeoutMs: 400_000,
    env: LIBGUESTFS_ENV,
  });
}

export interface Scratch {
  dir: string;
  remove(): Promise<void>;
}

export async function scratchDir(): Promise<Scratch> {
  const dir = await mkdtemp(join(tmpdir(), 'migratekit-conversion-test-'));
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}
