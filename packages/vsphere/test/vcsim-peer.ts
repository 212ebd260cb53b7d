// Starts VMware's vcsim (built by scripts/install-peers.sh) as a child process on a free loopback port.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

const PEERS_DIR = process.env.MIGRATEKIT_PEERS_DIR ?? '/var/cache/migratekit-peers';
export const VCSIM_BIN = join(PEERS_DIR, 'bin', 'vcsim');
export const hasVcsim = existsSync(VCSIM_BIN);

export interface Vcsim {
  host: string;
  port: number;
  /** "127.0.0.1:port", what VsphereClient.connect takes as host. */
  address: string;
  stop(): Promise<void>;
}

/** vcsim prints `export GOVC_URL=https://user:pass@127.0.0.1:PORT/sdk ...` once it is listening. */
export function startVcsim(extraArgs: string[] = []): Promise<Vcsim> {
  const child: ChildProcess = spawn(VCSIM_BIN, ['-l', '127.0.0.1:0', ...extraArgs], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const stop = (): Promise<void> =>
    new Promise((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) {
        resolve();
        return;
      }
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    });
  return new Promise((resolve, reject) => {
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    // Startup guard only (vcsim is up in well under a second); tests themselves never wait on time.
    const guard = setTimeout(() => {
      void stop();
      reject(new Error(`vcsim did not start within 30 s: ${stderr}`));
    }, 30_000);
    child.once('error', (error) => {
      clearTimeout(guard);
      reject(error);
    });
    child.once('exit', (code) => {
      clearTimeout(guard);
      reject(new Error(`vcsim exited with ${String(code)}: ${stderr}`));
    });
    const lines = createInterface({ input: child.stdout! });
    lines.on('line', (line) => {
      const match = /GOVC_URL=https:\/\/[^@]*@([\d.]+):(\d+)\//.exec(line);
      if (!match) return;
      clearTimeout(guard);
      const host = match[1] ?? '127.0.0.1';
      const port = Number(match[2]);
      resolve({ host, port, address: `${host}:${port}`, stop });
    });
  });
}
