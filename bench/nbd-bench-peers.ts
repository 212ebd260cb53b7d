import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';

// Peer processes for the NBD benchmarks: started on free ports, always killed.

const running = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

function listening(port: number): boolean {
  const hex = `:${port.toString(16).toUpperCase().padStart(4, '0')}`;
  const text = readFileSync('/proc/net/tcp', 'utf8');
  return text.split('\n').some((line) => {
    const f = line.trim().split(/\s+/);
    return f[1]?.endsWith(hex) && f[3] === '0A';
  });
}

export interface Running {
  stop(): Promise<void>;
}

export async function startListening(command: string, args: string[], port: number): Promise<Running> {
  const child = spawn(command, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  running.add(child);
  let err = '';
  child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  for (let i = 0; i < 400 && !listening(port); i++) {
    if (child.exitCode !== null) throw new Error(`${command} exited: ${err}`);
    await new Promise((r) => setTimeout(r, 25));
  }
  if (!listening(port)) throw new Error(`${command} did not listen: ${err}`);
  return {
    stop: async () => {
      child.kill('SIGKILL');
      await exited;
      running.delete(child);
    },
  };
}

/** Runs a command to completion and returns its wall time in seconds. */
export function timed(command: string, args: string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(command, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
    child.once('exit', (code) =>
      code === 0 ? resolve((performance.now() - started) / 1000) : reject(new Error(`${command} failed: ${err}`)),
    );
  });
}

/** Starts `migratekit nbd serve` and returns its URI. */
export async function startOurServer(
  bin: string,
  file: string,
  name: string,
  extraArgs: string[] = [],
): Promise<Running & { uri: string }> {
  const args = [bin, 'nbd', 'serve', file, '--export', name, '--port', '0', '--readonly', ...extraArgs];
  const child = spawn(process.execPath, args, {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const uri = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /at (nbd:\/\/\S+)/.exec(out);
      if (m?.[1]) resolve(m[1]);
    });
    child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
    child.once('exit', () => reject(new Error(`nbd serve exited: ${out}`)));
  });
  return {
    uri,
    stop: async () => {
      child.kill('SIGKILL');
      await exited;
      running.delete(child);
    },
  };
}
