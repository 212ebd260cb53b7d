// Whether libguestfs' appliance can use KVM here. An openable /dev/kvm is not enough: on a VM without nested
// virtualisation (no vmx/svm flag), /dev/kvm may exist (a paravirtual KVM module) while qemu's hardware
// acceleration fails at launch ("guestfs_launch failed" within a second). Then the appliance must run under TCG.
import { accessSync, constants, readFileSync } from 'node:fs';

/** True when the CPU flags of /proc/cpuinfo include hardware virtualisation (Intel VT-x or AMD-V). */
export function cpuHasHardwareVirtualisation(cpuinfo: string): boolean {
  return cpuinfo.split('\n').some((line) => /^flags\s*:/.test(line) && /\s(vmx|svm)(\s|$)/.test(line));
}

/** Synchronous: two small reads, done once per tool run (and by test fixtures at import). */
export function kvmUsable(paths = { kvm: '/dev/kvm', cpuinfo: '/proc/cpuinfo' }): boolean {
  try {
    accessSync(paths.kvm, constants.R_OK | constants.W_OK);
    return cpuHasHardwareVirtualisation(readFileSync(paths.cpuinfo, 'utf8'));
  } catch {
    return false;
  }
}
