// Small builders for test rows, so each test states only what it is about.
import type { Repositories } from '../src/repositories';
import type { ContextRecord, NewContext } from '../src/repositories/context.repository';

let counter = 0;

export function uniqueSuffix(): string {
  counter += 1;
  return `${process.pid}-${counter}-${Math.random().toString(16).slice(2, 8)}`;
}

export async function createContext(repos: Repositories, overrides: Partial<NewContext> = {}): Promise<ContextRecord> {
  const suffix = uniqueSuffix();
  return repos.contexts.create({
    context_id: `ctx-test-${suffix}`,
    vm_name: `vm-${suffix}`,
    vmware_vm_id: `4201-${suffix}`,
    vcenter_host: 'vcenter.lab.local',
    datacenter: 'DC1',
    ...overrides,
  });
}
