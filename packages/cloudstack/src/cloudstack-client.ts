import { defaultJobPollOptions, waitForJob, type JobPollOptions } from './async-jobs';
import { CloudStackResponseError } from './errors';
import { CloudStackTransport, type ApiObject, type CloudStackTransportOptions } from './cloudstack-transport';
import { flattenParams } from './params';
import type * as Req from './requests';
import type {
  ApiDescription,
  AsyncJobResult,
  AsyncSubmit,
  Capabilities,
  DiskOffering,
  Domain,
  Network,
  ServiceOffering,
  Snapshot,
  SuccessResponse,
  Template,
  VirtualMachine,
  VmSnapshot,
  Volume,
  Zone,
} from './types';

export interface CloudStackClientOptions extends CloudStackTransportOptions {
  jobs?: Partial<JobPollOptions>;
  /** Page size for list calls (CloudStack caps it at default.page.size, 500 by default). */
  pageSize?: number;
}

export interface CallOptions {
  signal?: AbortSignal;
  /** Called with `{jobid, id}` as soon as an async command is accepted, before waiting for the job. */
  onSubmitted?: (submit: AsyncSubmit) => void;
}

/** Typed CloudStack API client: lists fetch every page, async commands wait for their job. */
export class CloudStackClient {
  readonly transport: CloudStackTransport;
  private readonly jobOptions: JobPollOptions;
  private readonly pageSize: number;

  constructor(options: CloudStackClientOptions) {
    this.transport = new CloudStackTransport(options);
    this.jobOptions = { ...defaultJobPollOptions, ...options.jobs };
    this.pageSize = options.pageSize ?? 500;
  }

  get apiUrl(): string {
    return this.transport.apiUrl;
  }

  /** One raw call; returns the object inside `<command>response`. */
  call(command: string, params: object = {}, signal?: AbortSignal): Promise<ApiObject> {
    return this.transport.call(command, flattenParams(params), signal);
  }

  /** Fetches every page of a list command and returns the items under `key` (an empty list is `{}`). */
  async list<T>(command: string, key: string, params: object = {}, signal?: AbortSignal): Promise<T[]> {
    const items: T[] = [];
    for (let page = 1; ; page++) {
      const body = await this.call(command, { ...params, page, pagesize: this.pageSize }, signal);
      const chunk = body[key];
      if (chunk === undefined) return items;
      if (!Array.isArray(chunk)) throw new CloudStackResponseError(command, 200, `${key} is not a list`);
      items.push(...(chunk as T[]));
      const count = typeof body.count === 'number' ? body.count : items.length;
      if (chunk.length === 0 || chunk.length < this.pageSize || items.length >= count) return items;
    }
  }

  /** Submits an async command, waits for its job and returns `jobresult[resultKey]` (or the whole result). */
  async runAsync<T>(
    command: string,
    params: object,
    resultKey: string | undefined,
    options: CallOptions = {},
  ): Promise<T> {
    const submitted = await this.call(command, params, options.signal);
    if (typeof submitted.jobid !== 'string') throw new CloudStackResponseError(command, 200, 'no jobid in reply');
    const submit: AsyncSubmit = { jobid: submitted.jobid };
    if (typeof submitted.id === 'string') submit.id = submitted.id;
    options.onSubmitted?.(submit);
    const result = await waitForJob(this.transport, command, submit.jobid, this.jobOptions, options.signal);
    if (resultKey === undefined) return result as T;
    const object = result[resultKey];
    if (object === undefined) throw new CloudStackResponseError(command, 200, `job result has no ${resultKey}`);
    return object as T;
  }

  /** Waits for a job submitted earlier (for example one found pending after a restart). */
  waitForJob(command: string, jobId: string, signal?: AbortSignal): Promise<Record<string, unknown>> {
    return waitForJob(this.transport, command, jobId, this.jobOptions, signal);
  }

  async queryAsyncJobResult(jobid: string, signal?: AbortSignal): Promise<AsyncJobResult> {
    return (await this.call('queryAsyncJobResult', { jobid }, signal)) as unknown as AsyncJobResult;
  }

  async listCapabilities(signal?: AbortSignal): Promise<Capabilities> {
    const body = await this.call('listCapabilities', {}, signal);
    return (body.capability ?? {}) as Capabilities;
  }

  async listApis(name?: string, signal?: AbortSignal): Promise<ApiDescription[]> {
    const body = await this.call('listApis', { name }, signal);
    return (body.api ?? []) as ApiDescription[];
  }

  listZones(req: Req.ListZonesRequest = {}, signal?: AbortSignal): Promise<Zone[]> {
    return this.list('listZones', 'zone', req, signal);
  }

  listDomains(req: Req.ListDomainsRequest = {}, signal?: AbortSignal): Promise<Domain[]> {
    return this.list('listDomains', 'domain', req, signal);
  }

  listTemplates(req: Req.ListTemplatesRequest, signal?: AbortSignal): Promise<Template[]> {
    return this.list('listTemplates', 'template', req, signal);
  }

  listServiceOfferings(req: Req.ListServiceOfferingsRequest = {}, signal?: AbortSignal): Promise<ServiceOffering[]> {
    return this.list('listServiceOfferings', 'serviceoffering', req, signal);
  }

  listDiskOfferings(req: Req.ListDiskOfferingsRequest = {}, signal?: AbortSignal): Promise<DiskOffering[]> {
    return this.list('listDiskOfferings', 'diskoffering', req, signal);
  }

  listNetworks(req: Req.ListNetworksRequest = {}, signal?: AbortSignal): Promise<Network[]> {
    return this.list('listNetworks', 'network', req, signal);
  }

  listVirtualMachines(req: Req.ListVirtualMachinesRequest = {}, signal?: AbortSignal): Promise<VirtualMachine[]> {
    return this.list('listVirtualMachines', 'virtualmachine', req, signal);
  }

  listVolumes(req: Req.ListVolumesRequest = {}, signal?: AbortSignal): Promise<Volume[]> {
    return this.list('listVolumes', 'volume', req, signal);
  }

  listSnapshots(req: Req.ListSnapshotsRequest = {}, signal?: AbortSignal): Promise<Snapshot[]> {
    return this.list('listSnapshots', 'snapshot', req, signal);
  }

  deployVirtualMachine(req: Req.DeployVirtualMachineRequest, options?: CallOptions): Promise<VirtualMachine> {
    return this.runAsync('deployVirtualMachine', req, 'virtualmachine', options);
  }

  startVirtualMachine(id: string, options?: CallOptions): Promise<VirtualMachine> {
    return this.runAsync('startVirtualMachine', { id }, 'virtualmachine', options);
  }

  stopVirtualMachine(req: Req.StopVirtualMachineRequest, options?: CallOptions): Promise<VirtualMachine> {
    return this.runAsync('stopVirtualMachine', req, 'virtualmachine', options);
  }

  /** The VM must be Running; it stays Running. */
  rebootVirtualMachine(id: string, options?: CallOptions): Promise<VirtualMachine> {
    return this.runAsync('rebootVirtualMachine', { id }, 'virtualmachine', options);
  }

  /** With expunge the VM is gone afterwards; the job result still describes it. */
  destroyVirtualMachine(req: Req.DestroyVirtualMachineRequest, options?: CallOptions): Promise<VirtualMachine> {
    return this.runAsync('destroyVirtualMachine', req, 'virtualmachine', options);
  }

  createVolume(req: Req.CreateVolumeRequest, options?: CallOptions): Promise<Volume> {
    return this.runAsync('createVolume', req, 'volume', options);
  }

  attachVolume(req: Req.AttachVolumeRequest, options?: CallOptions): Promise<Volume> {
    return this.runAsync('attachVolume', req, 'volume', options);
  }

  detachVolume(req: Req.DetachVolumeRequest, options?: CallOptions): Promise<Volume> {
    return this.runAsync('detachVolume', req, 'volume', options);
  }

  resizeVolume(req: Req.ResizeVolumeRequest, options?: CallOptions): Promise<Volume> {
    return this.runAsync('resizeVolume', req, 'volume', options);
  }

  /** Synchronous: the volume must be detached. */
  async deleteVolume(id: string, signal?: AbortSignal): Promise<SuccessResponse> {
    return (await this.call('deleteVolume', { id }, signal)) as unknown as SuccessResponse;
  }

  createSnapshot(req: Req.CreateSnapshotRequest, options?: CallOptions): Promise<Snapshot> {
    return this.runAsync('createSnapshot', req, 'snapshot', options);
  }

  /** The volume must be Ready and its VM (if any) stopped. */
  revertSnapshot(id: string, options?: CallOptions): Promise<Snapshot> {
    return this.runAsync('revertSnapshot', { id }, 'snapshot', options);
  }

  deleteSnapshot(id: string, options?: CallOptions): Promise<SuccessResponse> {
    return this.runAsync('deleteSnapshot', { id }, undefined, options);
  }

  /** Copies every volume of the VM; while VM snapshots exist, volumes cannot be attached or detached. */
  createVMSnapshot(req: Req.CreateVmSnapshotRequest, options?: CallOptions): Promise<VmSnapshot> {
    return this.runAsync('createVMSnapshot', req, 'vmsnapshot', options);
  }

  /** The items of listVMSnapshot are named `vmSnapshot` (camel case). */
  listVMSnapshots(req: Req.ListVmSnapshotsRequest = {}, signal?: AbortSignal): Promise<VmSnapshot[]> {
    return this.list('listVMSnapshot', 'vmSnapshot', req, signal);
  }

  /** A running VM reverts only to a DiskAndMemory snapshot, a stopped one only to a Disk snapshot. */
  revertToVMSnapshot(vmsnapshotid: string, options?: CallOptions): Promise<VirtualMachine> {
    return this.runAsync('revertToVMSnapshot', { vmsnapshotid }, 'virtualmachine', options);
  }

  deleteVMSnapshot(vmsnapshotid: string, options?: CallOptions): Promise<SuccessResponse> {
    return this.runAsync('deleteVMSnapshot', { vmsnapshotid }, undefined, options);
  }
}
