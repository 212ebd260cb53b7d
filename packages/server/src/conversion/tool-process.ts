// Runs one libguestfs tool (virt-v2v-in-place, virt-inspector) as a child process: its output is split into
// lines for the job log, stdout is kept up to a cap, and the whole process group (the tool and the qemu of its
// appliance) is killed when the time limit passes or the caller aborts.
import { spawn } from 'node:child_process';
import type { Clock } from '@migratekit/core';

export interface ToolRun {
  command: string;
  args: readonly string[];
  env: NodeJS.ProcessEnv;
  clock: Clock;
  timeoutMs: number;
  signal: AbortSignal;
  /** Each complete line of output as it arrives. */
  onLine?: (stream: 'stdout' | 'stderr', line: string) => void;
  /** Most bytes of stdout kept in the outcome (the rest is dropped, `stdoutTruncated` says so). */
  maxStdoutBytes?: number;
  /** How many of the last output lines the outcome keeps for error messages. */
  tailLines?: number;
  /** Between SIGTERM and SIGKILL of the process group. */
  killGraceMs?: number;
}

export interface ToolOutcome {
  exitCode: number | null;
  /** The signal that ended the process, if one did. */
  exitSignal: NodeJS.Signals | null;
  stdout: string;
  stdoutTruncated: boolean;
  /** The last lines of stdout and stderr, interleaved as they arrived. */
  tail: string[];
  /** The stderr lines, up to `tailLines` of them (the last ones). */
  stderrTail: string[];
  timedOut: boolean;
  aborted: boolean;
  durationMs: number;
}

const DEFAULT_MAX_STDOUT = 16 * 1024 * 1024;
const DEFAULT_TAIL_LINES = 60;
const DEFAULT_KILL_GRACE_MS = 10_000;

/** Splits a byte stream into lines; `flush` emits the last unterminated line. */
function lineSplitter(emit: (line: string) => void): { push(chunk: string): void; flush(): void } {
  let pending = '';
  return {
    push(chunk) {
      pending += chunk;
      const parts = pending.split(/\r?\n|\r/);
      pending = parts.pop() ?? '';
      for (const part of parts) if (part.trim() !== '') emit(part);
    },
    flush() {
      if (pending.trim() !== '') emit(pending);
      pending = '';
    },
  };
}

function keepLast(lines: string[], line: string, max: number): void {
  lines.push(line);
  if (lines.length > max) lines.shift();
}

export function runTool(run: ToolRun): Promise<ToolOutcome> {
  const started = run.clock.now().getTime();
  const maxStdout = run.maxStdoutBytes ?? DEFAULT_MAX_STDOUT;
  const tailLines = run.tailLines ?? DEFAULT_TAIL_LINES;
  const tail: string[] = [];
  const stderrTail: string[] = [];
  let stdout = '';
  let stdoutTruncated = false;
  let timedOut = false;
  let aborted = false;

  // Its own process group, so one kill reaches the appliance's qemu as well.
  const child = spawn(run.command, [...run.args], { env: run.env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  const killGroup = (signal: NodeJS.Signals): void => {
    if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
    try {
      process.kill(-child.pid, signal);
    } catch (error) {
      // ESRCH: the group is already gone, which is what the kill wanted.
      if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
    }
  };
  const stopTimers = new AbortController();
  const terminate = (): void => {
    killGroup('SIGTERM');
    void run.clock.sleep(run.killGraceMs ?? DEFAULT_KILL_GRACE_MS, stopTimers.signal).then(
      () => killGroup('SIGKILL'),
      () => undefined /* the process ended within the grace period */,
    );
  };
  const onAbort = (): void => {
    aborted = true;
    terminate();
  };
  if (run.signal.aborted) onAbort();
  else run.signal.addEventListener('abort', onAbort, { once: true });
  void run.clock.sleep(run.timeoutMs, stopTimers.signal).then(
    () => {
      timedOut = true;
      terminate();
    },
    () => undefined /* cancelled: the process ended in time */,
  );

  const out = lineSplitter((line) => {
    keepLast(tail, line, tailLines);
    run.onLine?.('stdout', line);
  });
  const err = lineSplitter((line) => {
    keepLast(tail, line, tailLines);
    keepLast(stderrTail, line, tailLines);
    run.onLine?.('stderr', line);
  });
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    if (stdout.length + chunk.length <= maxStdout) stdout += chunk;
    else stdoutTruncated = true;
    out.push(chunk);
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => err.push(chunk));

  return new Promise((resolve, reject) => {
    child.once('error', (error) => {
      stopTimers.abort();
      run.signal.removeEventListener('abort', onAbort);
      reject(error);
    });
    child.once('close', (exitCode, exitSignal) => {
      stopTimers.abort();
      run.signal.removeEventListener('abort', onAbort);
      out.flush();
      err.flush();
      resolve({
        exitCode,
        exitSignal,
        stdout,
        stdoutTruncated,
        tail,
        stderrTail,
        timedOut,
        aborted,
        durationMs: run.clock.now().getTime() - started,
      });
    });
  });
}
