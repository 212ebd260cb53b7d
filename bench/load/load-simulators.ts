// The simulators of a load run, each its own process: the vCenter (bench/load/vcenter-process.ts, which also
// reports every snapshot taken) and CloudStack (`migratekit sim cloudstack`).
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CLI_ENTRY, spawnChild, type Child } from './child-process';
import type { LoadConfig } from './load-config';
import { loadCloudStackSeed, loadInventory, writeJson } from './load-estate';

const VCENTER_ENTRY = fileURLToPath(new URL('./vcenter-process.ts', import.meta.url));
/** Building 10,000 VMs with their disk files takes a while on a shared machine. */
const VCENTER_START_MS = 600_000;
const CLOUDSTACK_START_MS = 120_000;

export interface LoadVCenter {
  child: Child;
  host: string;
  port: number;
  username: string;
  password: string;
  sha256: string;
  nbdPort: number;
  /** Snapshot name -> how many times a snapshot of that name was taken (a job's copies). */
  snapshots: Map<string, number>;
}

export interface LoadCloudStack {
  child: Child;
  hostPort: string;
  serverVmId: string;
  byIdDir: string;
  apiKey: string;
  secretKey: string;
}

export async function startVCenter(config: LoadConfig, runDir: string): Promise<LoadVCenter> {
  const dataDir = join(runDir, 'sim-vcenter');
  mkdirSync(dataDir, { recursive: true });
  const inventoryPath = join(runDir, 'inventory.json');
  writeJson(inventoryPath, loadInventory(config));
  const snapshots = new Map<string, number>();
  const child = spawnChild({
    name: 'vcenter',
    args: ['--import', 'tsx', VCENTER_ENTRY, dataDir, inventoryPath],
    env: { ...process.env },
    logPath: join(runDir, 'vcenter.log'),
    stdinPipe: true,
    onLine: (line) => {
      const match = /^LOAD-SNAPSHOT (\S+) (\S+)$/.exec(line);
      if (match?.[2] !== undefined) snapshots.set(match[2], (snapshots.get(match[2]) ?? 0) + 1);
    },
  });
  const line = await child.waitForLine(/^LOAD-VCENTER /, VCENTER_START_MS);
  const banner = JSON.parse(line.slice('LOAD-VCENTER '.length)) as Omit<LoadVCenter, 'child' | 'snapshots'>;
  return { ...banner, child, snapshots };
}

export async function startCloudStack(config: LoadConfig, runDir: string): Promise<LoadCloudStack> {
  const dataDir = join(runDir, 'sim-cloudstack');
  const byIdDir = join(dataDir, 'by-id');
  mkdirSync(byIdDir, { recursive: true });
  const seedPath = join(runDir, 'cloudstack-seed.json');
  const seed = loadCloudStackSeed(config);
  writeJson(seedPath, seed);
  const apiKey = randomBytes(16).toString('hex');
  const secretKey = randomBytes(16).toString('hex');
  const lines: string[] = [];
  const child = spawnChild({
    name: 'cloudstack',
    args: [
      CLI_ENTRY,
      'sim',
      'cloudstack',
      ...['--port', '0', '--host', '127.0.0.1', '--api-key', apiKey, '--secret-key', secretKey],
      ...['--data', dataDir, '--by-id', byIdDir, '--seed', seedPath, '--job-latency', '20'],
    ],
    env: { ...process.env },
    logPath: join(runDir, 'cloudstack.log'),
    onLine: (line) => void (lines.length < 50 && lines.push(line)),
  });
  await child.waitForLine(/controls:/, CLOUDSTACK_START_MS);
  const hostPort = /operator URL:\s+(\S+)/.exec(lines.join('\n'))?.[1];
  if (hostPort === undefined) throw new Error(`the CloudStack simulator printed no operator URL\n${child.tail()}`);
  return { child, hostPort, serverVmId: seed.serverVm.id, byIdDir, apiKey, secretKey };
}
