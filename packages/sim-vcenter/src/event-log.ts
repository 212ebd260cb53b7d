import type { Clock } from '@migratekit/core';
import type { SimEntity } from './managed-object';
import type { SimTask } from './sim-task';
import type { SimVm } from './sim-vm';
import { data, registerArrayBase } from './vim-value';
import type { DataObject, Mor, VimValue } from './vim-value';

// The vCenter event log: what happened to which entity, as vim25 Event objects. EventManager and its
// history collectors (event-manager.ts) read it; VM operations, tasks and logins write it.

/** Event types the simulator posts, with the category govc and the vSphere client show. */
export const EVENT_TYPES: Record<string, { category: string; description: string }> = {
  VmPoweredOnEvent: { category: 'info', description: 'VM powered on' },
  VmPoweredOffEvent: { category: 'info', description: 'VM powered off' },
  VmGuestShutdownEvent: { category: 'info', description: 'Guest OS shut down' },
  VmReconfiguredEvent: { category: 'info', description: 'VM reconfigured' },
  TaskEvent: { category: 'info', description: 'Task event' },
  UserLoginSessionEvent: { category: 'info', description: 'User login' },
  UserLogoutSessionEvent: { category: 'info', description: 'User logout' },
};

registerArrayBase(Object.keys(EVENT_TYPES), 'Event');

export interface SimEvent {
  key: number;
  type: string;
  /** The entities the event is about, each with its ancestors (for entity filters with recursion). */
  entities: Array<{ ref: Mor; ancestors: Mor[] }>;
  value: DataObject;
}

const KEEP = 1000;

function ancestors(e: SimEntity): Mor[] {
  const out: Mor[] = [];
  for (let p = e.parent; p; p = p.parent) out.push(p.ref);
  return out;
}

function datacenterOf(e: SimEntity): SimEntity | undefined {
  for (let p: SimEntity | undefined = e; p; p = p.parent) if (p.ref.type === 'Datacenter') return p;
  return undefined;
}

export class EventLog {
  private readonly events: SimEvent[] = [];
  private nextKey = 1;
  /** Told after each new event (history collectors' latestPage changes). */
  onPost: () => void = () => undefined;

  constructor(private readonly clock: Clock) {}

  /** Every kept event, oldest first. */
  list(): readonly SimEvent[] {
    return this.events;
  }

  private post(type: string, message: string, fields: Record<string, VimValue | undefined>, about: SimEntity[]) {
    const key = this.nextKey++;
    const value = data(type, {
      key,
      chainId: key,
      createdTime: this.clock.now(),
      ...fields,
      fullFormattedMessage: message,
    });
    this.events.push({ key, type, entities: about.map((e) => ({ ref: e.ref, ancestors: ancestors(e) })), value });
    if (this.events.length > KEEP) this.events.shift();
    this.onPost();
  }

  private vmFields(vm: SimVm): Record<string, VimValue | undefined> {
    const dc = datacenterOf(vm);
    const cr = vm.host.parent;
    return {
      datacenter: dc ? data('DatacenterEventArgument', { name: dc.name, datacenter: dc.ref }) : undefined,
      computeResource: cr
        ? data('ComputeResourceEventArgument', { name: cr.name, computeResource: cr.ref })
        : undefined,
      host: data('HostEventArgument', { name: vm.host.name, host: vm.host.ref }),
      vm: data('VmEventArgument', { name: vm.name, vm: vm.ref }),
    };
  }

  private where(vm: SimVm): string {
    return `${vm.name} on ${vm.host.name} in ${datacenterOf(vm)?.name ?? ''}`;
  }

  vmPoweredOn(vm: SimVm): void {
    this.post('VmPoweredOnEvent', `${this.where(vm)} is powered on`, this.vmFields(vm), [vm, vm.host]);
  }

  vmPoweredOff(vm: SimVm): void {
    this.post('VmPoweredOffEvent', `${this.where(vm)} is powered off`, this.vmFields(vm), [vm, vm.host]);
  }

  vmGuestShutdown(vm: SimVm): void {
    this.post('VmGuestShutdownEvent', `Guest OS shut down for ${this.where(vm)}`, this.vmFields(vm), [vm, vm.host]);
  }

  vmReconfigured(vm: SimVm): void {
    const fields = { ...this.vmFields(vm), configSpec: data('VirtualMachineConfigSpec', {}) };
    this.post('VmReconfiguredEvent', `Reconfigured ${this.where(vm)}`, fields, [vm, vm.host]);
  }

  task(task: SimTask, entity: SimEntity | undefined): void {
    const fields: Record<string, VimValue | undefined> = { userName: task.userName, info: task.info() };
    if (entity && entity.ref.type === 'VirtualMachine') Object.assign(fields, this.vmFields(entity as SimVm));
    this.post('TaskEvent', `Task: ${task.descriptionId}`, fields, entity ? [entity] : []);
  }

  login(userName: string, ipAddress: string, userAgent: string, sessionId: string): void {
    const fields = { userName, ipAddress, userAgent, locale: 'en', sessionId };
    this.post('UserLoginSessionEvent', `User ${userName}@${ipAddress} logged in as ${userAgent}`, fields, []);
  }

  logout(userName: string, ipAddress: string, userAgent: string, sessionId: string): void {
    const fields = { userName, ipAddress, userAgent, sessionId, callCount: 0, loginTime: this.clock.now() };
    this.post('UserLogoutSessionEvent', `User ${userName}@${ipAddress} logged out`, fields, []);
  }
}
