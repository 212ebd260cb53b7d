import type { ManagedObject } from './managed-object';
import { VimFault } from './vim-fault';
import { AnyType, data, Mor } from './vim-value';
import type { VimValue } from './vim-value';

// A vim25 Task: clients poll or wait on its `info` (state, progress, result, error).

export type TaskState = 'queued' | 'running' | 'success' | 'error';

export class SimTask implements ManagedObject {
  readonly ref: Mor;
  state: TaskState = 'queued';
  progress: number | undefined;
  result: VimValue | undefined;
  error: VimFault | undefined;
  startTime: Date | undefined;
  completeTime: Date | undefined;

  constructor(
    id: string,
    readonly entity: Mor,
    readonly entityName: string,
    readonly method: string,
    readonly descriptionId: string,
    readonly userName: string,
    readonly queueTime: Date,
  ) {
    this.ref = new Mor('Task', id);
  }

  get done(): boolean {
    return this.state === 'success' || this.state === 'error';
  }

  info(): VimValue {
    return data('TaskInfo', {
      key: this.ref.value,
      task: this.ref,
      name: this.method,
      descriptionId: this.descriptionId,
      entity: this.entity,
      entityName: this.entityName,
      state: this.state,
      cancelled: false,
      cancelable: false,
      error: this.error?.toLocalized(),
      result: this.result === undefined ? undefined : new AnyType(this.result),
      progress: this.progress,
      reason: data('TaskReasonUser', { userName: this.userName }),
      queueTime: this.queueTime,
      startTime: this.startTime,
      completeTime: this.completeTime,
      eventChainId: Number(this.ref.value.replace(/\D/g, '')) || 0,
    });
  }

  properties(): Record<string, VimValue | undefined> {
    return { info: this.info() };
  }
}

export function asVimFault(err: unknown): VimFault {
  if (err instanceof VimFault) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new VimFault('SystemError', message, { reason: message });
}
