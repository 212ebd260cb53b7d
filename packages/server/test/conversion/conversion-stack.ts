// The dev stack for the conversion acceptance tests: the server with its real converter (virt-v2v-in-place and
// virt-inspector, as the composition root builds it), the simulators, an agent, and VMs discovered, replicated
// and mapped through the API; failovers started and watched through the API as an operator would.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { VmSpec } from '@migratekit/sim-vcenter';
import { startDevStack, type DevStack } from '../../src/dev/dev-stack';
import type { DevEstate } from '../../src/dev/dev-estate';
import { createLogger } from '../../src/logging/logger';
import {
  PROD_NETWORKS,
  SOURCE_NETWORKS,
  TEST_NETWORKS,
  apiFor,
  inventoryOf,
  type Api,
} from '../failover/failover-fixture';

export interface ConversionStack {
  stack: DevStack;
  estate: DevEstate;
  api: Api;
  /** VM name -> context id. */
  contexts: Map<string, string>;
  /** What the dev stack printed at start (the banner). */
  banner: string[];
  close(): Promise<void>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Reads until `done`, every `everyMs`, for at most `limitMs`. */
export async function until<T>(
  read: () => Promise<T>,
  done: (value: T) => boolean,
  what: string,
  limitMs: number,
  everyMs = 250,
): Promise<T> {
  const deadline = Date.now() + limitMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline)
      throw new Error(`${what} did not settle within ${limitMs / 1000} s: ${JSON.stringify(value)}`);
    await sleep(everyMs);
  }
}

export interface ConversionStackOptions {
  vms: VmSpec[];
  /** The guest image: the estate's guest-image VM (the dev stack's own, as `npm start` adds it). */
  guestImage?: string;
  /** MIGRATEKIT_CONVERSION_TIMEOUT_SECONDS of the server. */
  conversionTimeoutSeconds: number;
}

/** The dev stack with every VM of the estate discovered, replicated once and mapped (production and test). */
export async function startConversionStack(options: ConversionStackOptions): Promise<ConversionStack> {
  const dataDir = mkdtempSync(join(tmpdir(), 'mk-conversion-'));
  const banner: string[] = [];
  const stack = await startDevStack({
    env: {
      MIGRATEKIT_DATA_DIR: dataDir,
      PORT: '0',
      LOG_LEVEL: 'silent',
      MIGRATEKIT_CONVERTER: 'auto',
      MIGRATEKIT_CONVERSION_TIMEOUT_SECONDS: String(options.conversionTimeoutSeconds),
    },
    logger: createLogger({ level: 'silent' }),
    out: (line) => banner.push(line),
    inventory: inventoryOf(options.vms),
    ...(options.guestImage === undefined ? {} : { guestImage: options.guestImage }),
    guestWrites: false,
    agent: 'in-process',
  });
  const close = async () => {
    await stack.close();
    rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    const estate = stack.estate;
    assert.ok(estate);
    const api = apiFor(stack);
    const contexts = await replicateAll(api, estate);
    return { stack, estate, api, contexts, banner, close };
  } catch (error) {
    await close();
    throw error;
  }
}

async function replicateAll(api: Api, estate: DevEstate): Promise<Map<string, string>> {
  const discovered = await api.call<{ vms: Array<{ id: string; name: string }> }>('POST', '/api/v1/discover', {
    credential_id: estate.credentialId,
  });
  assert.equal(discovered.status, 200, JSON.stringify(discovered.body));
  const added = await api.call<{ results: Array<{ vm_id: string; context_id: string; job_id: string }> }>(
    'POST',
    '/api/v1/replications',
    { vm_ids: discovered.body.vms.map((vm) => vm.id), credential_id: estate.credentialId },
  );
  assert.equal(added.status, 200, JSON.stringify(added.body));
  const contexts = new Map<string, string>();
  for (const result of added.body.results) {
    const job = await until(
      async () => (await api.call<{ status: string }>('GET', `/api/v1/replications/${result.job_id}`)).body,
      (body) => !['pending', 'replicating'].includes(body.status),
      `replication ${result.job_id}`,
      240_000,
    );
    assert.equal(job.status, 'completed', JSON.stringify(job));
    const name = discovered.body.vms.find((vm) => vm.id === result.vm_id)?.name;
    assert.ok(name);
    contexts.set(name, result.context_id);
    // Every VM here has one NIC, on the first source network (the guest-image VM's is the estate's first).
    const mapped = await api.call(
      'PUT',
      `/api/v1/network-mappings/context/${result.context_id}/${encodeURIComponent(SOURCE_NETWORKS[0] as string)}`,
      { production_network_id: PROD_NETWORKS[0], test_network_id: TEST_NETWORKS[0] },
    );
    assert.ok(mapped.status < 300, JSON.stringify(mapped.body));
  }
  return contexts;
}

export interface FailoverView {
  job_id: string;
  status: string;
  workflow_status: string | null;
  workflow_job_id: string | null;
  destination_vm_id: string | null;
  error_message: string | null;
  steps: Array<{
    name: string;
    kind: string;
    status: string;
    output: unknown;
    error_code: string | null;
    error_message: string | null;
  }>;
}

const SETTLED = ['completed', 'failed', 'cleanup_required'];

/** Starts a failover through the API and waits until it and its workflow have settled. */
export async function failOver(
  env: ConversionStack,
  vm: string,
  type: 'test' | 'live',
  limitMs: number,
): Promise<FailoverView> {
  const started = await env.api.call<{ job_id: string }>('POST', '/api/v1/failover/unified', {
    vm_id: env.contexts.get(vm),
    failover_type: type,
    options: { shutdown_timeout_ms: 10_000 },
  });
  assert.equal(started.status, 202, JSON.stringify(started.body));
  return until(
    async () => {
      const { status, body } = await env.api.call<FailoverView>(
        'GET',
        `/api/v1/failover/${started.body.job_id}/status`,
      );
      assert.equal(status, 200, JSON.stringify(body));
      return body;
    },
    (view) =>
      SETTLED.includes(view.status) && view.workflow_status !== 'running' && view.workflow_status !== 'compensating',
    `${type} failover of ${vm}`,
    limitMs,
    1000,
  );
}

export interface JobLogLine {
  level: string;
  message: string;
  step?: string | null;
}

/** The workflow job's log, oldest first. */
export async function jobLog(env: ConversionStack, workflowJobId: string): Promise<JobLogLine[]> {
  const { status, body } = await env.api.call<{ logs: JobLogLine[] }>('GET', `/api/v1/jobs/${workflowJobId}`);
  assert.equal(status, 200, JSON.stringify(body));
  return body.logs;
}

/** What the CloudStack simulator holds for the VM: volumes by placement, failover snapshots, other VMs. */
export function cloudInventory(env: ConversionStack, volumeIds: readonly string[]) {
  const inventory = env.estate.cloudstack.inventory();
  return {
    serverVmId: inventory.serverVmId,
    volumes: inventory.volumes.filter((v) => volumeIds.includes(v.id)),
    failoverSnapshots: inventory.snapshots.filter((s) => s.name.startsWith('migratekit-failover-')),
    vmsOtherThanServer: inventory.vms.filter((v) => v.id !== inventory.serverVmId),
  };
}

/** The context's volume ids in disk order. */
export async function volumeIdsOf(env: ConversionStack, vm: string): Promise<string[]> {
  const { body } = await env.api.call<{ volumes: Array<{ volume_id: string; disk_id: string }> }>(
    'GET',
    `/api/v1/vm-contexts/${env.contexts.get(vm) ?? ''}`,
  );
  return body.volumes.sort((a, b) => a.disk_id.localeCompare(b.disk_id)).map((v) => v.volume_id);
}
