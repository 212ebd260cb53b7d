import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { cpuHasHardwareVirtualisation, kvmUsable } from './kvm-acceleration';

test('hardware virtualisation is read from the flags line only', { timeout: 10_000 }, () => {
  assert.equal(cpuHasHardwareVirtualisation('processor\t: 0\nflags\t\t: fpu vme svm sse2\n'), true);
  assert.equal(cpuHasHardwareVirtualisation('flags\t\t: fpu vmx\n'), true);
  assert.equal(cpuHasHardwareVirtualisation('flags\t\t: fpu vme sse2 hypervisor\n'), false);
  assert.equal(cpuHasHardwareVirtualisation('model name\t: svm vmx in a name\nflags\t\t: fpu\n'), false);
});

test('KVM is usable only with a writable /dev/kvm and the CPU flag', { timeout: 10_000 }, async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'migratekit-kvm-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const kvm = join(dir, 'kvm');
  const cpuinfo = join(dir, 'cpuinfo');
  await writeFile(cpuinfo, 'flags\t\t: fpu svm\n');
  assert.equal(kvmUsable({ kvm, cpuinfo }), false, 'no /dev/kvm');
  await writeFile(kvm, '');
  assert.equal(kvmUsable({ kvm, cpuinfo }), true);
  await writeFile(cpuinfo, 'flags\t\t: fpu hypervisor\n');
  assert.equal(kvmUsable({ kvm, cpuinfo }), false, 'a /dev/kvm without hardware virtualisation');
});
