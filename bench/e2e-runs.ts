// One timed run of the end-to-end benchmark each: a replication through the product (API -> server -> agent process
// -> TLS -> server NBD target -> CloudStack volume file), and nbdcopy moving the same snapshot disk into the same
// target with TLS-PSK. Each run checks the destination's sha256 against the source disk's.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { statSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { VsphereClient } from '@migratekit/vsphere';
import { RssSampler, bytesWrittenBy, cpuSecondsOf, sha256File } from './e2e-disk';
import { E2E_DISK_KEY, until, type E2eStack } from './e2e-stack';

/** A whole replication of a few GiB on a shared 2-core machine: minutes at worst, never unbounded. */
const JOB_TIMEOUT_MS = Number(process.env.E2E_BENCH_JOB_TIMEOUT_S ?? 1200) * 1000;
const NBDCOPY_IDENTITY = 'bench-nbdcopy';

export interface Source {
  /** The VM's instance UUID (the API's vm id) and its managed object id (the simulator's). */
  vmId: string;
  vmMoref: string;
  /** The simulator disk's file and size; the disk is read whole for its sha256. */
  diskPath: string;
  size: number;
  /** sha256 of the disk as it is now (no guest writes run during a copy). */
  sha256: string;
}

export interface OursRun {
  jobId: string;
  contextId: string;
  /** POST /replications to the job seen completed, measured here. */
  wallSeconds: number;
  /** The job's own started_at -> completed_at. */
  jobSeconds: number;
  /** The "copy changed blocks" step: the agent's snapshot, changed-area query, copy and snapshot removal. */
  copyStepSeconds: number;
  syncType: string;
  bytesTransferred: number;
  bytesWritten: number;
  bytesZeroed: number;
  exportName: string;
  volumeFile: string;
  agentPeakRss: number;
  serverPeakRss: number;
  /** What the agent process passed to write/send during the job (sockets and logs): bytes on its wire. */
  agentWireBytes: number | undefined;
  cpu: RunCpu;
}

export interface NbdcopyRun {
  seconds: number;
  serverPeakRss: number;
  cpu: RunCpu;
}

/**
 * CPU seconds used during a run: by the copier (the agent process, or nbdcopy), the server process, and this
 * process (the simulators serving the source, the API polling). Less sensitive to other load than wall time.
 */
export interface RunCpu {
  copier: number;
  server: number;
  simulators: number;
}

/** Starts counting; the returned function gives the CPU seconds since. `copier` reads the copier's total. */
function cpuSince(stack: E2eStack, copier: () => number | undefined): () => RunCpu {
  const read = (): RunCpu => ({
    copier: copier() ?? NaN,
    server: cpuSecondsOf(stack.serverPid) ?? NaN,
    simulators: cpuSecondsOf('self') ?? NaN,
  });
  const start = read();
  return () => {
    const end = read();
    return {
      copier: end.copier - start.copier,
      server: end.server - start.server,
      simulators: end.simulators - start.simulators,
    };
  };
}

interface JobDetails {
  status: string;
  started_at: string | null;
  completed_at: string | null;
  error_message: string | null;
  steps: Array<{ name: string; started_at: string; completed_at: string | null }>;
  logs: Array<{ message: string; fields: Record<string, unknown> | null }>;
}

interface ReplicationJob {
  status: string;
  bytes_transferred: number;
  sync_type: string | null;
  error_message: string | null;
}

const seconds = (from: string | null, to: string | null): number =>
  from === null || to === null ? NaN : (Date.parse(to) - Date.parse(from)) / 1000;

async function waitForJob(stack: E2eStack, jobId: string): Promise<ReplicationJob> {
  let job: ReplicationJob | undefined;
  await until(
    `replication ${jobId}`,
    async () => {
      job = await stack.api<ReplicationJob>('GET', `/api/v1/replications/${jobId}`);
      return !['pending', 'replicating'].includes(job.status);
    },
    JOB_TIMEOUT_MS,
  );
  if (job?.status !== 'completed') throw new Error(`replication ${jobId} ended ${JSON.stringify(job)}`);
  return job;
}

async function volumeFileOf(stack: E2eStack, contextId: string): Promise<string> {
  const context = await stack.api<{ volumes: Array<{ volume_id: string }> }>('GET', `/api/v1/vm-contexts/${contextId}`);
  const volumeId = context.volumes[0]?.volume_id;
  const file = stack.cloudstack.inventory().volumes.find((v) => v.id === volumeId)?.file;
  if (file === undefined) throw new Error(`context ${contextId} has no volume file`);
  return file;
}

export async function verify(what: string, file: string, source: Source): Promise<void> {
  const copied = await sha256File(file, source.size);
  if (copied !== source.sha256) throw new Error(`${what}: destination sha256 ${copied} != source ${source.sha256}`);
}

/**
 * One replication job through the API. `start` is the POST body: a VM for an initial replication (a new context,
 * a new volume), or a context for the next, incremental one.
 */
export async function replicate(
  stack: E2eStack,
  source: Source,
  start: { vm_id: string; credential_id: string } | { context_id: string; start_replication: true },
): Promise<OursRun> {
  const sampler = new RssSampler([stack.agentPid, stack.serverPid]);
  const wireBefore = bytesWrittenBy(stack.agentPid);
  const cpu = cpuSince(stack, () => cpuSecondsOf(stack.agentPid));
  const started = performance.now();
  let job: ReplicationJob;
  let ids: { job_id: string; context_id: string };
  let peaks: number[] = [];
  try {
    ids = await stack.api<{ job_id: string; context_id: string }>('POST', '/api/v1/replications', start);
    job = await waitForJob(stack, ids.job_id);
  } finally {
    peaks = sampler.stop();
  }
  const wallSeconds = (performance.now() - started) / 1000;
  const used = cpu();
  const wireAfter = bytesWrittenBy(stack.agentPid);
  const [agentPeakRss = 0, serverPeakRss = 0] = peaks;
  const details = await stack.api<JobDetails>('GET', `/api/v1/jobs/${ids.job_id}`);
  const copyStep = details.steps.find((s) => s.name === 'copy changed blocks');
  const copied = details.logs.find((l) => l.message === 'disk copied')?.fields ?? {};
  const volume = details.logs.find((l) => l.message === 'volume ready')?.fields ?? {};
  const volumeFile = await volumeFileOf(stack, ids.context_id);
  await verify(`replication ${ids.job_id}`, volumeFile, source);
  return {
    jobId: ids.job_id,
    contextId: ids.context_id,
    wallSeconds,
    jobSeconds: seconds(details.started_at, details.completed_at),
    copyStepSeconds: seconds(copyStep?.started_at ?? null, copyStep?.completed_at ?? null),
    syncType: job.sync_type ?? '?',
    bytesTransferred: job.bytes_transferred,
    bytesWritten: Number(copied.bytes_written ?? NaN),
    bytesZeroed: Number(copied.bytes_zeroed ?? NaN),
    exportName: String(volume.export_name),
    volumeFile,
    agentPeakRss,
    serverPeakRss,
    agentWireBytes: wireBefore === undefined || wireAfter === undefined ? undefined : wireAfter - wireBefore,
    cpu: used,
  };
}

/** Runs a command to completion within `timeoutMs`; its wall time in seconds. */
function timedCommand(command: string, args: string[], timeoutMs: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(command, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-4000)));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve((performance.now() - started) / 1000);
      else reject(new Error(`${command} ended (${String(code ?? signal)}): ${err}`));
    });
  });
}

/**
 * nbdcopy from the simulator's NBD export of a fresh snapshot (what the agent reads) into the volume export a
 * replication left on the server's NBD target, over TLS-PSK on the target's own port. The volume file is emptied
 * first, so nbdcopy, like the product's first copy, writes onto a destination known to read as zeroes.
 */
export async function nbdcopy(
  stack: E2eStack,
  source: Source,
  into: { exportName: string; volumeFile: string },
  dir: string,
): Promise<NbdcopyRun> {
  const size = statSync(into.volumeFile).size;
  truncateSync(into.volumeFile, 0);
  truncateSync(into.volumeFile, size);
  const { vcenter } = stack;
  const client = await VsphereClient.connect({
    host: `${vcenter.host}:${vcenter.port}`,
    username: vcenter.username,
    password: vcenter.password,
    thumbprint: vcenter.thumbprints.sha256,
  });
  const key = randomBytes(32).toString('hex');
  const pskFile = join(dir, 'nbdcopy.psk');
  writeFileSync(pskFile, `${NBDCOPY_IDENTITY}:${key}\n`, { mode: 0o600 });
  try {
    const snapshot = await client.createSnapshot(
      { type: 'VirtualMachine', value: source.vmMoref },
      { name: 'nbdcopy-bench', description: 'e2e benchmark: nbdcopy source' },
    );
    try {
      await stack.psk(NBDCOPY_IDENTITY, key);
      const from = vcenter.nbd?.uri(source.vmMoref, snapshot.value, E2E_DISK_KEY) ?? '';
      const to = `nbds://${NBDCOPY_IDENTITY}@127.0.0.1:${stack.nbdPort}/${into.exportName}?tls-psk-file=${pskFile}`;
      const sampler = new RssSampler([stack.serverPid]);
      // nbdcopy's CPU time reaches this process's children counters when it has ended and been waited for.
      const cpu = cpuSince(stack, () => cpuSecondsOf('self', true));
      let peaks: number[] = [];
      let taken: number;
      try {
        taken = await timedCommand('nbdcopy', ['--destination-is-zero', '--flush', from, to], JOB_TIMEOUT_MS);
      } finally {
        peaks = sampler.stop();
      }
      const used = cpu();
      await verify('nbdcopy', into.volumeFile, source);
      return { seconds: taken, serverPeakRss: peaks[0] ?? 0, cpu: used };
    } finally {
      await stack.psk(NBDCOPY_IDENTITY, undefined);
      await client.removeSnapshot(snapshot);
    }
  } finally {
    await client.close();
  }
}
