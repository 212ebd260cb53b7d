import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { delimiter, join } from 'node:path';
import type { TestContext } from 'node:test';

// Real peers (nbdkit, qemu-nbd, nbd-server, nbdinfo, nbdcopy, qemu-img, qemu-io) run as child processes
// on free loopback ports; every one started is killed when its test ends.

function hasProgram(name: string): boolean {
  for (const dir of (process.env.PATH ?? '').split(delimiter).concat(['/usr/sbin', '/sbin'])) {
    try {
      accessSync(join(dir, name), constants.X_OK);
      return true;
    } catch {
      // not in this directory
    }
  }
  return false;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/**
 * Whether something listens on the loopback port, read from /proc/net/tcp instead of connecting: a probe
 * connection would be taken as a client (nbd-server -d serves badly after one).
 */
function isListening(port: number): boolean {
  const hex = port.toString(16).toUpperCase().padStart(4, '0');
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text = '';
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/);
      if (fields[1]?.endsWith(`:${hex}`) && fields[3] === '0A') return true;
    }
  }
  return false;
}

export interface Peer {
  process: ChildProcess;
  output(): string;
  stop(): Promise<void>;
}

/** Starts a long-running peer and waits (bounded) until it accepts connections on `port`. */
export async function startPeer(t: TestContext, command: string, args: string[], port: number): Promise<Peer> {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  let exited = false;
  const exit = new Promise<void>((resolve) =>
    child.once('exit', () => {
      exited = true;
      resolve();
    }),
  );
  const peer: Peer = {
    process: child,
    output: () => output,
    stop: async () => {
      // SIGKILL: nbdkit waits for connected clients on SIGTERM, and tests flush what they need first.
      if (!exited) child.kill('SIGKILL');
      await exit;
    },
  };
  t.after(() => peer.stop());
  for (let attempt = 0; attempt < 200; attempt++) {
    if (exited) throw new Error(`${command} exited early: ${output}`);
    if (isListening(port)) return peer;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`${command} did not listen on ${port}: ${output}`);
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a peer tool to completion (bounded by `timeoutMs`). */
export function run(command: string, args: string[], timeoutMs = 60_000): Promise<RunResult> {
  return new Promise((resolve) => {
    execFile(command, args, { timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

export async function runOk(command: string, args: string[], timeoutMs?: number): Promise<string> {
  const result = await run(command, args, timeoutMs);
  if (result.code !== 0) throw new Error(`${command} ${args.join(' ')} failed (${result.code}): ${result.stderr}`);
  return result.stdout;
}

/** qemu-img compare exits 0 only for identical contents. */
export async function assertIdentical(a: string, b: string, formats: [string, string] = ['raw', 'raw']): Promise<void> {
  const result = await run('qemu-img', ['compare', '-f', formats[0], '-F', formats[1], a, b]);
  if (result.code !== 0) throw new Error(`qemu-img compare ${a} ${b}: ${result.stdout}${result.stderr}`);
}

export const peers = {
  nbdkit: hasProgram('nbdkit'),
  nbdinfo: hasProgram('nbdinfo'),
  nbdcopy: hasProgram('nbdcopy'),
  qemuImg: hasProgram('qemu-img'),
  qemuNbd: hasProgram('qemu-nbd'),
  qemuIo: hasProgram('qemu-io'),
  nbdServer: hasProgram('nbd-server'),
  openssl: hasProgram('openssl'),
};
