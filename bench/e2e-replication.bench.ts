import { mkdtempSync, rmSync, statfsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BenchSuite, Figure } from './bench-types';
import { fillDisk, memoryOf, scatterWrites, sha256File } from './e2e-disk';
import { nbdcopy, replicate, type NbdcopyRun, type OursRun, type Source } from './e2e-runs';
import { E2E_DISK_KEY, E2E_VM, startE2eStack, type E2eStack } from './e2e-stack';

// End to end (docs/benchmarks.md, `e2e-replication`): a disk of 60% random data and 40% zeroes in the vCenter
// simulator replicated through the whole product (snapshot export -> agent process -> TLS -> server process's NBD
// target -> CloudStack simulator volume file), alternating with nbdcopy moving the same snapshot disk into the same
// export over TLS-PSK; then 1% of the disk rewritten in scattered writes and replicated incrementally (CBT). Every
// run's destination is checked by sha256 against the source. Files live in one temporary directory, removed at the
// end, on Ctrl+C and at the time bound; every child process is killed with this one.

const GiB = 2 ** 30;
const MiB = 2 ** 20;
const SIZE = Math.round((Number(process.env.E2E_BENCH_GIB ?? 4) * GiB) / MiB) * MiB;
const PAIRS = Number(process.env.E2E_BENCH_REPEATS ?? 3);
const TIME_BOUND_S = Number(process.env.E2E_BENCH_TIMEOUT_S ?? 3600);
const CHANGED_FRACTION = 0.01;
const RSS_LIMIT = 300 * MiB;
const LAYOUT_SEED = 17;
const WRITES_SEED = 4242;

/** /dev/shm when it holds the source, two volumes and slack (no disk I/O in the figures); else the temp dir. */
function workBase(): string {
  if (process.env.E2E_BENCH_DIR) return process.env.E2E_BENCH_DIR;
  try {
    const fs = statfsSync('/dev/shm');
    if (fs.bavail * fs.bsize > 3 * SIZE + 2 * GiB) return '/dev/shm';
  } catch {
    // No /dev/shm: the temp dir.
  }
  return tmpdir();
}

/** Removes the work directory and exits if the run is interrupted or outlives its bound (children die on exit). */
function guard(dir: string): () => void {
  const abort = (why: string, code: number) => (): void => {
    console.error(`e2e-replication: ${why}; removing ${dir}`);
    rmSync(dir, { recursive: true, force: true });
    process.exit(code);
  };
  const onSignal = abort('interrupted', 130);
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const timer = setTimeout(abort(`no result within ${TIME_BOUND_S} s`, 1), TIME_BOUND_S * 1000);
  timer.unref();
  return () => {
    clearTimeout(timer);
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  };
}

const mib = (bytes: number): number => bytes / MiB;
const best = (values: number[]): number => Math.min(...values);

function runFigure(i: number, ours: OursRun, peer: NbdcopyRun): Figure {
  const ratio = ours.jobSeconds / peer.seconds;
  return {
    name: `e2e-full-run-${i + 1}`,
    ratio,
    figures: {
      ours_job_s: ours.jobSeconds,
      ours_copy_step_s: ours.copyStepSeconds,
      ours_wall_s: ours.wallSeconds,
      nbdcopy_s: peer.seconds,
      copy_step_ratio: ours.copyStepSeconds / peer.seconds,
      agent_peak_rss_MiB: mib(ours.agentPeakRss),
      server_peak_rss_MiB: mib(Math.max(ours.serverPeakRss, peer.serverPeakRss)),
      ours_cpu_s: `agent ${ours.cpu.copier.toFixed(1)} + server ${ours.cpu.server.toFixed(1)} + sims ${ours.cpu.simulators.toFixed(1)}`,
      nbdcopy_cpu_s: `nbdcopy ${peer.cpu.copier.toFixed(1)} + server ${peer.cpu.server.toFixed(1)} + sims ${peer.cpu.simulators.toFixed(1)}`,
      sha256: 'equal (both)',
    },
    target: '<= 1.3 (ours job time / nbdcopy time)',
    met: ratio <= 1.3,
  };
}

/** RSS of the agent and server processes before the first copy (started, paired, idle). */
interface IdleRss {
  agent: number;
  server: number;
}

function summary(ours: OursRun[], peers: NbdcopyRun[], idle: IdleRss): Figure[] {
  const job = best(ours.map((o) => o.jobSeconds));
  const step = best(ours.map((o) => o.copyStepSeconds));
  const peer = best(peers.map((p) => p.seconds));
  const agentPeak = Math.max(...ours.map((o) => o.agentPeakRss));
  const serverPeak = Math.max(...ours.map((o) => o.serverPeakRss), ...peers.map((p) => p.serverPeakRss));
  const gib = SIZE / GiB;
  return [
    {
      name: `e2e-full-${gib}g`,
      ratio: job / peer,
      figures: {
        disk_bytes: SIZE,
        ours_job_s: job,
        ours_copy_step_s: step,
        nbdcopy_s: peer,
        copy_step_ratio: step / peer,
        ours_MiBps: mib(SIZE) / job,
        nbdcopy_MiBps: mib(SIZE) / peer,
        bytes_written: ours[0]?.bytesWritten ?? NaN,
        bytes_zeroed: ours[0]?.bytesZeroed ?? NaN,
      },
      target: '<= 1.3 x nbdcopy time (best of each; ratio = ours job time / nbdcopy time)',
      met: job / peer <= 1.3,
    },
    {
      name: `e2e-peak-rss-${gib}g`,
      ratio: Math.max(agentPeak, serverPeak) / RSS_LIMIT,
      figures: {
        agent_peak_rss_MiB: mib(agentPeak),
        server_peak_rss_MiB: mib(serverPeak),
        agent_idle_rss_MiB: mib(idle.agent),
        server_idle_rss_MiB: mib(idle.server),
      },
      target: '< 300 MiB each (ratio = larger peak / 300 MiB), sampled every 100 ms during the copies',
      met: agentPeak < RSS_LIMIT && serverPeak < RSS_LIMIT,
    },
  ];
}

function incrementalFigure(run: OursRun, changed: { writes: number; changedBytes: number }): Figure {
  const sent = run.bytesWritten + run.bytesZeroed;
  const ratio = sent / changed.changedBytes;
  return {
    name: 'e2e-incremental-1pct',
    ratio,
    figures: {
      sync_type: run.syncType,
      writes: changed.writes,
      changed_bytes: changed.changedBytes,
      job_bytes_transferred: run.bytesTransferred,
      bytes_written: run.bytesWritten,
      bytes_zeroed: run.bytesZeroed,
      agent_wire_bytes: run.agentWireBytes ?? 'unknown',
      wire_ratio: run.agentWireBytes === undefined ? 'unknown' : run.agentWireBytes / changed.changedBytes,
      job_s: run.jobSeconds,
      copy_step_s: run.copyStepSeconds,
    },
    target: '<= 1.05 (bytes the agent wrote or zeroed on the target / bytes the guest changed)',
    met: run.syncType === 'incremental' && ratio <= 1.05,
  };
}

async function prepareSource(stack: E2eStack): Promise<{ source: Source; notes: string[] }> {
  const vm = stack.vcenter.listVms().find((v) => v.name === E2E_VM);
  const disk = vm?.disks.find((d) => d.key === E2E_DISK_KEY);
  if (vm === undefined || disk === undefined) throw new Error(`the simulator has no ${E2E_VM}`);
  const started = performance.now();
  const layout = await fillDisk(
    (at, data) => stack.vcenter.writeGuest(E2E_VM, E2E_DISK_KEY, at, data),
    SIZE,
    LAYOUT_SEED,
  );
  const discovered = await stack.api<{ vms: Array<{ id: string; name: string }> }>('POST', '/api/v1/discover', {
    credential_id: stack.credentialId,
  });
  const vmId = discovered.vms.find((v) => v.name === E2E_VM)?.id;
  if (vmId === undefined) throw new Error(`${E2E_VM} was not discovered`);
  const source = { vmId, vmMoref: vm.id, diskPath: disk.path, size: SIZE, sha256: await sha256File(disk.path, SIZE) };
  const setup = (performance.now() - started) / 1000;
  return {
    source,
    notes: [
      `source disk ${SIZE / GiB} GiB: ${mib(layout.dataBytes)} MiB random data, ${mib(layout.zeroBytes)} MiB written zeroes (allocated), ${mib(layout.holeBytes)} MiB never written (holes), in shuffled 1 MiB units (seed ${LAYOUT_SEED}); filled and hashed in ${setup.toFixed(1)} s`,
    ],
  };
}

export const suite: BenchSuite = {
  description: 'End to end: vCenter simulator -> agent process -> TLS -> server NBD target -> volume, vs nbdcopy',
  async run() {
    const dir = mkdtempSync(join(workBase(), 'mk-e2e-bench-'));
    const unguard = guard(dir);
    let stack: E2eStack | undefined;
    try {
      stack = await startE2eStack(dir, SIZE);
      const { source, notes } = await prepareSource(stack);
      const idle = { agent: memoryOf(stack.agentPid)?.rss ?? NaN, server: memoryOf(stack.serverPid)?.rss ?? NaN };
      const ours: OursRun[] = [];
      const peers: NbdcopyRun[] = [];
      const figures: Figure[] = [];
      for (let i = 0; i < PAIRS; i++) {
        const previous = ours[ours.length - 1];
        // A new context each time, so each run is the initial (full) replication onto a new volume.
        if (previous !== undefined) await stack.api('DELETE', `/api/v1/vm-contexts/${previous.contextId}`);
        const run = await replicate(stack, source, { vm_id: source.vmId, credential_id: stack.credentialId });
        ours.push(run);
        peers.push(await nbdcopy(stack, source, run, dir));
        figures.push(runFigure(i, run, peers[i] as NbdcopyRun));
        console.log(
          `  ${figures[i]?.name}: ratio ${figures[i]?.ratio.toFixed(3)} ${JSON.stringify(figures[i]?.figures)}`,
        );
      }
      figures.push(...summary(ours, peers, idle));
      const last = ours[ours.length - 1] as OursRun;
      const write = (at: number, data: Buffer): Promise<void> =>
        stack?.vcenter.writeGuest(E2E_VM, E2E_DISK_KEY, at, data) ?? Promise.resolve();
      const changed = await scatterWrites(write, SIZE, CHANGED_FRACTION, WRITES_SEED);
      const changedSource = { ...source, sha256: await sha256File(source.diskPath, SIZE) };
      const incremental = await replicate(stack, changedSource, {
        context_id: last.contextId,
        start_replication: true,
      });
      figures.push(incrementalFigure(incremental, changed));
      const hwm = (pid: number): number => mib(memoryOf(pid)?.hwm ?? NaN);
      for (const f of figures.slice(PAIRS))
        console.log(`  ${f.name}: ratio ${f.ratio.toFixed(3)} ${JSON.stringify(f.figures)}`);
      return {
        figures,
        notes: [
          ...notes,
          `ours: POST /api/v1/replications (a new VM context each run, so a full copy onto a new, sparse CloudStack volume) -> agent as its own process (\`migratekit agent --sim-nbd\`, product defaults) reads the simulator's snapshot export over NBD (TCP, loopback) and writes to the server process's NBD target over TLS-PSK (MIGRATEKIT_NBD_LISTENER=on: the target's own port; nbdcopy cannot take the agent port's HTTP upgrade); job time = the job's started_at -> completed_at (volume creation and attach, snapshot, CBT query, copy, snapshot removal, bookkeeping); copy step = its "copy changed blocks" step`,
          "nbdcopy: `nbdcopy --destination-is-zero --flush nbd://<simulator>/<vm>/<snapshot>/<disk> nbds://bench-nbdcopy@127.0.0.1:<target port>/vol-<id>?tls-psk-file=...`: the same snapshot export and the same volume export (emptied first), TLS-PSK with a key put into the target's PSK table as a job does; timed from spawn to exit (snapshot taken before, outside the time)",
          `alternating runs ours, nbdcopy (${PAIRS} pairs), each destination checked by sha256 against the source; every process on one shared 2-core machine (the simulators run in the benchmark process); files in ${dir.startsWith('/dev/shm') ? '/dev/shm (tmpfs)' : dir}`,
          `incremental: ${changed.writes} guest writes of 4 KiB-1 MiB at seeded positions (seed ${WRITES_SEED}) changing ${mib(changed.changedBytes).toFixed(1)} MiB; bytes sent = the agent's bytes written + zeroed on the target (its "disk copied" log); agent_wire_bytes = the agent process's write/send bytes during the job (/proc/<pid>/io wchar: TLS records, NBD headers, progress, logs)`,
          `peak RSS sampled from /proc/<pid>/status every 100 ms during each run; VmHWM at the end (whole life, start-up included): agent ${hwm(stack.agentPid).toFixed(0)} MiB, server ${hwm(stack.serverPid).toFixed(0)} MiB`,
        ],
      };
    } finally {
      await stack?.close();
      rmSync(dir, { recursive: true, force: true });
      unguard();
    }
  },
};
