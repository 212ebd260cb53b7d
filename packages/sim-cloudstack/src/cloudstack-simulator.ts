import { randomUUID } from 'node:crypto';
import { systemClock, type Clock } from '@migratekit/core';
import { SimApiError, cloudRuntime, missingParameter } from './api-error';
import { COMMAND_TABLE, isImplemented, type CommandSpec } from './command-table';
import { DEFAULT_SEED, type SimSeed } from './default-seed';
import { HANDLERS, CREATE_COMMANDS } from './handlers';
import { renderJob } from './handlers/job.handlers';
import { completeAction } from './job-actions';
import { FaultControls, type ActiveFault } from './faults';
import { dispatchParams } from './param-names';
import { csDate } from './render';
import { applyUndo, type HandlerContext, type JobRequest } from './sim-context';
import type { ApiObject, SimJob, SimState } from './sim-types';
import { initialState, loadState, saveState } from './state-store';
import { VolumeFiles } from './volume-files';

export interface SimLogger {
  info(fields: Record<string, unknown>, message: string): void;
  warn(fields: Record<string, unknown>, message: string): void;
}

export interface CloudStackSimulatorOptions {
  /** Holds the state file, volume files and snapshot files. */
  dataDir: string;
  /** Where `virtio-<serial>` links appear for volumes attached to the server VM (/dev/disk/by-id in production). */
  byIdDir: string;
  /** Used only when the data dir has no state yet. */
  seed?: SimSeed;
  clock?: Clock;
  /** How long an async job stays pending (default 20 ms). */
  jobLatencyMs?: number;
  logger?: SimLogger;
}

export interface SimResponse {
  status: number;
  body: ApiObject;
  /** Close the connection without answering (injected transport fault). */
  drop?: boolean;
}

const KEEP_FINISHED_JOBS = 2000;

function errorBody(command: string, error: SimApiError): SimResponse {
  const wrapper = error.errorcode === 432 ? 'errorresponse' : `${command.toLowerCase()}response`;
  const inner: ApiObject = { uuidList: [], errorcode: error.errorcode };
  if (error.cserrorcode !== undefined) inner.cserrorcode = error.cserrorcode;
  inner.errortext = error.message;
  return { status: error.errorcode, body: { [wrapper]: inner } };
}

function faultError(command: string, fault: ActiveFault): SimApiError {
  const text = fault.errortext ?? `Simulated failure of ${command} (injected by the test harness)`;
  const cserrorcode = fault.errorcode === 431 ? 4350 : fault.errorcode === 530 ? 4250 : undefined;
  return new SimApiError(fault.errorcode, text, cserrorcode);
}

function jobInstanceType(command: string): SimJob['instanceType'] {
  if (command.includes('VMSnapshot')) return 'VmSnapshot';
  if (command.includes('Snapshot')) return 'Snapshot';
  return command.includes('Volume') ? 'Volume' : 'VirtualMachine';
}

/** The job's own result objects were rendered while it was still pending: drop its jobid/jobstatus marks. */
function withoutPendingMarkers(result: ApiObject): ApiObject {
  const out: ApiObject = {};
  for (const [key, value] of Object.entries(result)) {
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
      const { jobid: _jobid, jobstatus: _jobstatus, ...rest } = value as ApiObject;
      out[key] = rest;
    } else out[key] = value;
  }
  return out;
}

/** The CloudStack model behind the HTTP server: state, command dispatch, async jobs, faults, persistence. */
export class CloudStackSimulator {
  readonly faults = new FaultControls();
  readonly files: VolumeFiles;
  readonly clock: Clock;
  private readonly dataDir: string;
  private readonly jobLatencyMs: number;
  private readonly logger: SimLogger | undefined;
  private readonly abort = new AbortController();
  private readonly inflight = new Set<Promise<void>>();
  private jobChain: Promise<void> = Promise.resolve();

  private constructor(
    readonly state: SimState,
    options: CloudStackSimulatorOptions,
  ) {
    this.dataDir = options.dataDir;
    this.files = new VolumeFiles(options.dataDir, options.byIdDir);
    this.clock = options.clock ?? systemClock;
    this.jobLatencyMs = options.jobLatencyMs ?? 20;
    this.logger = options.logger;
  }

  /** Loads the state from the data dir (or seeds it) and resumes jobs that were pending at shutdown. */
  static async open(options: CloudStackSimulatorOptions): Promise<CloudStackSimulator> {
    const clock = options.clock ?? systemClock;
    const state = loadState(options.dataDir) ?? initialState(options.seed ?? DEFAULT_SEED, clock.now());
    const sim = new CloudStackSimulator(state, options);
    for (const volume of state.volumes.filter((v) => v.state !== 'Allocated'))
      await sim.files.ensure(volume.file, volume.sizeBytes);
    for (const volume of state.volumes.filter((v) => v.state === 'Ready' && v.vmId !== undefined)) {
      if (state.vms.some((vm) => vm.id === volume.vmId && vm.isServer === true) && volume.type !== 'ROOT')
        await sim.files.link(volume.id, volume.file);
    }
    sim.save();
    // Jobs cut short by a stop continue at once, whatever latency they were started with.
    const resumeAt = clock.now().getTime() + sim.jobLatencyMs;
    for (const job of state.jobs.filter((j) => j.status === 0)) {
      job.dueAt = Math.min(job.dueAt, resumeAt);
      sim.schedule(job);
    }
    return sim;
  }

  get serverVmId(): string {
    return this.state.vms.find((vm) => vm.isServer === true)?.id ?? '';
  }

  save(): void {
    saveState(this.dataDir, this.state);
  }

  /** Runs one authenticated API call (`received` as signed: names in the case the client sent). */
  async execute(command: string, received: Readonly<Record<string, string>>): Promise<SimResponse> {
    if (!isImplemented(command)) return errorBody(command, new SimApiError(432, `Unknown API command: ${command}`));
    let params: Record<string, string>;
    try {
      params = dispatchParams(received);
    } catch (error) {
      if (error instanceof SimApiError) return errorBody(command, error);
      throw error;
    }
    const spec: CommandSpec = COMMAND_TABLE[command];
    const fault = this.faults.takeCallFault(command);
    if (fault?.mode === 'drop') return { status: 0, body: {}, drop: true };
    if (fault) return errorBody(command, faultError(command, fault));
    const latency = spec.isasync ? 0 : this.faults.latencyFor(command);
    if (latency > 0) await this.clock.sleep(latency, this.abort.signal);
    const ctx = this.context(command, params);
    try {
      for (const [name, p] of Object.entries(spec.params)) {
        if (p.required && !params[name]) throw missingParameter(command, name);
      }
      const result = await HANDLERS[command](ctx);
      return { status: 200, body: { [`${command.toLowerCase()}response`]: result } };
    } catch (error) {
      const apiError = error instanceof SimApiError ? error : cloudRuntime(String((error as Error).message));
      if (!(error instanceof SimApiError))
        this.logger?.warn({ command, error: (error as Error).message }, 'simulator handler failed');
      // Business-rule failures of async commands happen inside the job; parameter errors and the create
      // phase of create commands are answered at once.
      if (spec.isasync && !CREATE_COMMANDS.has(command) && apiError.cserrorcode !== 9999) {
        const job = this.submitJob(command, {
          instanceType: jobInstanceType(command),
          instanceId: params.id ?? params.vmsnapshotid ?? '',
          action: { kind: 'fail', errorcode: apiError.errorcode, errortext: apiError.message },
          undo: { vms: [], volumes: [], snapshots: [] },
        });
        return { status: 200, body: { [`${command.toLowerCase()}response`]: { jobid: job.jobid } } };
      }
      return errorBody(command, apiError);
    } finally {
      if (!command.startsWith('list') && command !== 'queryAsyncJobResult') this.save();
    }
  }

  private context(command: string, params: Readonly<Record<string, string>>): HandlerContext {
    return {
      command,
      params,
      state: this.state,
      files: this.files,
      now: () => this.clock.now(),
      newId: () => randomUUID(),
      submitJob: (request) => this.submitJob(command, request),
    };
  }

  private submitJob(command: string, request: JobRequest): SimJob {
    const now = this.clock.now();
    const job: SimJob = {
      jobid: randomUUID(),
      command,
      instanceType: request.instanceType,
      instanceId: request.instanceId,
      status: 0,
      resultCode: 0,
      created: csDate(now),
      dueAt: now.getTime() + this.jobLatencyMs + this.faults.latencyFor(command),
      action: request.action,
      undo: request.undo,
    };
    this.state.jobs.push(job);
    this.schedule(job);
    return job;
  }

  private schedule(job: SimJob): void {
    const delay = Math.max(0, job.dueAt - this.clock.now().getTime());
    const run = this.clock.sleep(delay, this.abort.signal).then(
      () => {
        const next = this.jobChain.then(() => this.finish(job));
        // The chain only orders jobs; each job's own failure reaches its caller through `next`.
        this.jobChain = next.catch(() => undefined);
        return next;
      },
      () => undefined,
    );
    const tracked = run.finally(() => this.inflight.delete(tracked));
    this.inflight.add(tracked);
  }

  private async finish(job: SimJob): Promise<void> {
    if (job.status !== 0 || this.abort.signal.aborted) return;
    try {
      const fault = this.faults.takeJobFault(job.command);
      if (fault) throw faultError(job.command, fault);
      const result = await completeAction(
        { state: this.state, files: this.files, now: () => this.clock.now() },
        job.action,
      );
      job.result = withoutPendingMarkers(result);
      job.resultCode = 0;
      job.status = 1;
    } catch (error) {
      applyUndo(this.state, job.undo);
      const apiError = error instanceof SimApiError ? error : cloudRuntime((error as Error).message);
      // ApiAsyncJobDispatcher: InvalidParameterValue keeps 431, anything else is 530.
      const code = apiError.errorcode === 431 ? 431 : apiError.errorcode === 530 ? 530 : apiError.errorcode;
      job.status = 2;
      job.resultCode = code;
      job.result = { errorcode: code, errortext: apiError.message };
    }
    job.completed = csDate(this.clock.now());
    job.undo = { vms: [], volumes: [], snapshots: [], vmSnapshots: [] };
    this.pruneJobs();
    this.save();
    this.logger?.info({ jobid: job.jobid, command: job.command, status: job.status }, 'simulated job finished');
  }

  private pruneJobs(): void {
    const finished = this.state.jobs.filter((j) => j.status !== 0);
    if (finished.length <= KEEP_FINISHED_JOBS) return;
    const drop = new Set(finished.slice(0, finished.length - KEEP_FINISHED_JOBS));
    this.state.jobs = this.state.jobs.filter((j) => !drop.has(j));
  }

  /** Resolves when no job is pending (with a real clock; with a ManualClock advance it first). */
  async settle(): Promise<void> {
    while (this.inflight.size > 0) await Promise.all([...this.inflight]);
  }

  jobResult(jobid: string): ApiObject | undefined {
    const job = this.state.jobs.find((j) => j.jobid === jobid);
    return job ? renderJob(job, this.state.account) : undefined;
  }

  /** Everything that exists, for tests and operators. */
  inventory(): Inventory {
    const { state } = this;
    return {
      serverVmId: this.serverVmId,
      vms: state.vms.map((vm) => ({
        id: vm.id,
        name: vm.name,
        state: vm.state,
        isServer: vm.isServer === true,
        nics: vm.nics.map((n) => ({ networkid: n.networkid, ipaddress: n.ipaddress, macaddress: n.macaddress })),
      })),
      volumes: state.volumes.map((v) => ({
        id: v.id,
        name: v.name,
        type: v.type,
        state: v.state,
        sizeBytes: v.sizeBytes,
        vmId: v.vmId,
        deviceId: v.deviceId,
        file: this.files.path(v.file),
        byIdLink:
          v.vmId !== undefined && state.vms.some((vm) => vm.id === v.vmId && vm.isServer === true) && v.type !== 'ROOT'
            ? this.files.linkPath(v.id)
            : undefined,
      })),
      snapshots: state.snapshots.map((s) => ({ id: s.id, name: s.name, volumeId: s.volumeId, state: s.state })),
      pendingJobs: state.jobs.filter((j) => j.status === 0).map((j) => ({ jobid: j.jobid, command: j.command })),
    };
  }

  /** Stops job timers; pending jobs stay pending in the state file and resume on the next open(). */
  async close(): Promise<void> {
    this.abort.abort(new Error('simulator closed'));
    await Promise.allSettled([...this.inflight]);
    await this.jobChain;
    this.save();
  }
}

export interface Inventory {
  serverVmId: string;
  vms: { id: string; name: string; state: string; isServer: boolean; nics: ApiObject[] }[];
  volumes: {
    id: string;
    name: string;
    type: string;
    state: string;
    sizeBytes: number;
    vmId: string | undefined;
    deviceId: number | undefined;
    file: string;
    byIdLink: string | undefined;
  }[];
  snapshots: { id: string; name: string; volumeId: string; state: string }[];
  pendingJobs: { jobid: string; command: string }[];
}
