// Waits for a vim25 Task by polling its `info` property with a bounded backoff. Polling keeps this working
// through load balancers and against simulators that lack WaitForUpdatesEx; the clock is injected.
import { type Clock, MigrateKitError, systemClock } from '@migratekit/core';
import { retrieveObject } from './property-collector';
import { parseLocalizedMethodFault, type VimFaultError } from './soap/vim-faults';
import type { VimSession } from './soap/vim-session';
import type { MoRef } from './vim-types';
import { child, numberOf, textOf, type XmlNode } from '@migratekit/node-common';

export type TaskState = 'queued' | 'running' | 'success' | 'error';

export interface TaskInfo {
  key: string;
  state: TaskState;
  /** Percent done (0-100) while running, when vCenter reports it. */
  progress: number | undefined;
  descriptionId: string | undefined;
  /** TaskInfo.result, e.g. the snapshot reference of CreateSnapshot_Task. */
  result: XmlNode | undefined;
  error: VimFaultError | undefined;
}

export interface TaskProgress {
  task: MoRef;
  state: TaskState;
  progress: number | undefined;
}

export interface WaitForTaskOptions {
  clock?: Clock;
  /** Gives up (MKE_UPSTREAM_TIMEOUT) after this long; default 30 minutes. */
  timeoutMs?: number;
  initialDelayMs?: number;
  maxDelayMs?: number;
  onProgress?: (progress: TaskProgress) => void;
  signal?: AbortSignal;
}

function parseTaskState(value: string | undefined): TaskState {
  if (value === 'queued' || value === 'running' || value === 'success' || value === 'error') return value;
  return 'running';
}

function parseTaskInfo(info: XmlNode): TaskInfo {
  const state = parseTaskState(textOf(info, 'state')?.trim());
  return {
    key: textOf(info, 'key') ?? '',
    state,
    progress: numberOf(info, 'progress'),
    descriptionId: textOf(info, 'descriptionId'),
    result: child(info, 'result'),
    error: state === 'error' ? parseLocalizedMethodFault(child(info, 'error')) : undefined,
  };
}

export async function readTaskInfo(session: VimSession, task: MoRef): Promise<TaskInfo> {
  const content = await retrieveObject(session, task, ['info']);
  const info = content.props.get('info');
  if (info === undefined) {
    throw new MigrateKitError('MKE_UPSTREAM_ERROR', { message: `Task ${task.value} has no info` });
  }
  return parseTaskInfo(info);
}

/** Resolves with the final TaskInfo on success; throws the task's typed fault on error. */
export async function waitForTask(
  session: VimSession,
  task: MoRef,
  options: WaitForTaskOptions = {},
): Promise<TaskInfo> {
  const clock = options.clock ?? systemClock;
  const timeoutMs = options.timeoutMs ?? 30 * 60_000;
  const maxDelay = options.maxDelayMs ?? 2_000;
  let delay = options.initialDelayMs ?? 100;
  const deadline = clock.now().getTime() + timeoutMs;
  let lastReported: string | undefined;
  for (;;) {
    const info = await readTaskInfo(session, task);
    const marker = `${info.state}/${info.progress ?? ''}`;
    if (marker !== lastReported) {
      lastReported = marker;
      options.onProgress?.({ task, state: info.state, progress: info.progress });
    }
    if (info.state === 'success') return info;
    if (info.state === 'error') throw info.error ?? new MigrateKitError('MKE_VSPHERE_FAULT');
    if (clock.now().getTime() >= deadline) {
      throw new MigrateKitError('MKE_UPSTREAM_TIMEOUT', {
        message: `Task ${task.value} did not finish within ${timeoutMs} ms`,
        details: { task: task.value, state: info.state, progress: info.progress },
      });
    }
    await clock.sleep(delay, options.signal);
    delay = Math.min(maxDelay, Math.ceil(delay * 1.5));
  }
}
