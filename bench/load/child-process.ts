// The harness's processes (servers, agents, simulators): each one's output goes to its own log file in the run
// directory, with a bounded tail kept for error messages; every line is offered to a listener (banners, the
// vCenter simulator's snapshot lines). A harness that dies takes its children with it.
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

export const CLI_ENTRY = fileURLToPath(new URL('../../bin/migratekit.mjs', import.meta.url));
const TAIL_BYTES = 16 * 1024;

export interface Child {
  name: string;
  process: ChildProcess;
  /** Resolves with the signal (or exit code) that ended it. */
  exited: Promise<string>;
  tail(): string;
  /** Resolves with the first line that matches, or fails after timeoutMs or when the process exits first. */
  waitForLine(pattern: RegExp, timeoutMs: number): Promise<string>;
  kill9(): Promise<string>;
  /** SIGTERM, then SIGKILL after graceMs. */
  stop(graceMs?: number): Promise<void>;
}

const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

export interface SpawnOptions {
  name: string;
  args: string[];
  env: NodeJS.ProcessEnv;
  logPath: string;
  onLine?: (line: string) => void;
  /** Keep stdin open (a child started with --exit-with-parent stops when it closes). */
  stdinPipe?: boolean;
}

export function spawnChild(options: SpawnOptions): Child {
  const child = spawn(process.execPath, options.args, {
    env: options.env,
    stdio: [options.stdinPipe === true ? 'pipe' : 'ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  const log: WriteStream = createWriteStream(options.logPath, { flags: 'a' });
  let tail = '';
  const waiters = new Set<(line: string) => void>();
  for (const stream of [child.stdout, child.stderr]) {
    if (stream === null) continue;
    createInterface({ input: stream }).on('line', (line) => {
      log.write(`${line}\n`);
      tail = (tail + line + '\n').slice(-TAIL_BYTES);
      options.onLine?.(line);
      for (const waiter of waiters) waiter(line);
    });
  }
  const exited = new Promise<string>((resolve) =>
    child.once('exit', (code, signal) => {
      running.delete(child);
      log.end();
      resolve(signal ?? `exit ${String(code)}`);
    }),
  );
  const waitForLine = (pattern: RegExp, timeoutMs: number): Promise<string> =>
    new Promise((resolve, reject) => {
      const done = (error: Error | undefined, line?: string): void => {
        clearTimeout(timer);
        waiters.delete(onLine);
        if (error === undefined) resolve(line ?? '');
        else reject(error);
      };
      const onLine = (line: string): void => {
        if (pattern.test(line)) done(undefined, line);
      };
      const timer = setTimeout(
        () => done(new Error(`${options.name}: no line matching ${String(pattern)} within ${timeoutMs} ms\n${tail}`)),
        timeoutMs,
      );
      waiters.add(onLine);
      void exited.then((how) => done(new Error(`${options.name} exited (${how}) before ${String(pattern)}\n${tail}`)));
    });
  const stop = async (graceMs = 10_000): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    await exited;
    clearTimeout(timer);
  };
  return {
    name: options.name,
    process: child,
    exited,
    tail: () => tail,
    waitForLine,
    kill9: () => {
      child.kill('SIGKILL');
      return exited;
    },
    stop,
  };
}
