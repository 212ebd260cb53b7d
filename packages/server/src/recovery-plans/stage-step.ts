// One stage of a recovery plan run as a step of the parent workflow (docs/recovery-plans.md): start a child
// failover per VM in order, wait until every child settled, then wait for the stage's condition. Starting is
// idempotent: a child already started under this parent for a VM (before a crash) is reused, never doubled.
import { MigrateKitError, errorMessage, type WorkflowStatus } from '@migratekit/core';
import type { JobRecord } from '@migratekit/db';
import type { InspectResult, StepContext, StepDefinition } from '../workflows';
import type {
  PlanRunInput,
  RecoveryPlanDeps,
  ResolvedStage,
  ResolvedVm,
  StageChild,
  StageOutput,
} from './recovery-plan.types';

type Context = StepContext<PlanRunInput, Readonly<Record<string, unknown>>>;

const DEFAULT_POLL_MS = 1_000;
/** A child in one of these has finished one way or the other; paused waits for the operator's decision. */
const SETTLED: readonly WorkflowStatus[] = ['completed', 'compensated', 'failed', 'cleanup_required', 'cancelled'];

export function stageStepName(index: number): string {
  return `stage ${index + 1}`;
}

/** What the stage's failure says: which stage, which VMs, and each child's own error. */
function stageFailure(index: number, stage: ResolvedStage, failures: readonly string[]): MigrateKitError {
  return new MigrateKitError('MKE_RECOVERY_STAGE_FAILED', {
    message: `Stage ${index + 1} (${stage.name}) failed: ${failures.join('; ')}`,
    details: { stage: index + 1, stage_name: stage.name, failures },
  });
}

async function childOf(deps: RecoveryPlanDeps, parentJobId: string, vm: ResolvedVm): Promise<JobRecord | undefined> {
  const children = await deps.repositories.jobLog.listChildren(parentJobId);
  return children.find((c) => c.vm_context_id === vm.context_id);
}

/** Starts the failovers of the stage in order; a VM refused (not ready, busy) is a failure of the stage. */
async function startChildren(
  deps: RecoveryPlanDeps,
  context: Context,
  stage: ResolvedStage,
): Promise<{ started: Map<string, string>; failures: string[] }> {
  const started = new Map<string, string>();
  const failures: string[] = [];
  for (const vm of stage.vms) {
    const existing = await childOf(deps, context.jobId, vm);
    if (existing !== undefined) {
      started.set(vm.context_id, existing.id);
      continue;
    }
    try {
      const child = await deps.startFailover({
        vm: vm.context_id,
        type: context.input.failoverType,
        parentJobId: context.jobId,
      });
      started.set(vm.context_id, child.workflow_job_id);
      await context.log('info', `started ${context.input.failoverType} failover of ${vm.vm_name}`, {
        context_id: vm.context_id,
        failover_job_id: child.job_id,
      });
    } catch (error) {
      failures.push(`${vm.vm_name}: ${errorMessage(error)}`);
      await context.log('error', `could not start the failover of ${vm.vm_name}`, { error: errorMessage(error) });
    }
  }
  return { started, failures };
}

/** Reads the children until every one settled; a paused child (live takeover) waits for the operator. */
async function settleChildren(
  deps: RecoveryPlanDeps,
  context: Context,
  stage: ResolvedStage,
  started: ReadonlyMap<string, string>,
): Promise<StageChild[]> {
  const pollMs = deps.pollMs ?? DEFAULT_POLL_MS;
  const reported = new Set<string>();
  for (;;) {
    const children: StageChild[] = [];
    for (const vm of stage.vms) {
      const jobId = started.get(vm.context_id);
      if (jobId === undefined) continue;
      const job = await deps.repositories.workflowJobs.getJob(jobId);
      if (job === undefined) throw new Error(`child job ${jobId} of ${vm.vm_name} is missing`);
      children.push({
        context_id: vm.context_id,
        vm_name: vm.vm_name,
        failover_job_id: job.external_job_id,
        workflow_job_id: job.id,
        status: job.status,
        error_message: job.error_message,
      });
      if (job.status === 'paused' && !reported.has(job.id)) {
        reported.add(job.id);
        await context.log('warn', `the failover of ${vm.vm_name} is paused: resume or undo it to go on`, {
          failover_job_id: job.external_job_id,
        });
      }
    }
    if (children.every((c) => SETTLED.includes(c.status))) return children;
    await deps.pause(pollMs, context.signal);
  }
}

/** 'running': each child's target VM must be Running in CloudStack within wait_seconds. */
async function waitRunning(deps: RecoveryPlanDeps, context: Context, stage: ResolvedStage, children: StageChild[]) {
  const deadline = deps.clock.now().getTime() + stage.wait_seconds * 1000;
  const pollMs = deps.pollMs ?? DEFAULT_POLL_MS;
  for (;;) {
    const waiting: string[] = [];
    const cloud = await deps.cloud();
    for (const child of children) {
      const job = await deps.repositories.failoverJobs.require(child.failover_job_id);
      const vmId = job.destination_vm_id;
      const [vm] = vmId === null ? [] : await cloud.listVirtualMachines({ id: vmId }, context.signal);
      if (vm?.state !== 'Running') waiting.push(`${child.vm_name} (${vm?.state ?? 'no target VM'})`);
    }
    if (waiting.length === 0) return;
    if (deps.clock.now().getTime() >= deadline)
      throw new MigrateKitError('MKE_RECOVERY_STAGE_TIMEOUT', {
        message: `Stage ${stage.name}: not Running after ${stage.wait_seconds} s: ${waiting.join(', ')}`,
        details: { waiting },
      });
    await deps.pause(pollMs, context.signal);
  }
}

export function stageStep(
  deps: RecoveryPlanDeps,
  index: number,
): StepDefinition<PlanRunInput, Readonly<Record<string, unknown>>, StageOutput> {
  const stageOf = (input: PlanRunInput): ResolvedStage => {
    const stage = input.stages[index];
    if (stage === undefined) throw new Error(`the run has no stage ${index + 1}`);
    return stage;
  };
  return {
    run: async (context) => {
      const stage = stageOf(context.input);
      await context.log('info', `stage ${index + 1} (${stage.name}): ${stage.vms.length} VM(s)`);
      const { started, failures } = await startChildren(deps, context, stage);
      // Children already started are followed to the end even when a sibling was refused: nothing runs unwatched.
      const children = await settleChildren(deps, context, stage, started);
      for (const child of children.filter((c) => c.status !== 'completed'))
        failures.push(
          `${child.vm_name}: failover ${child.status}${child.error_message === null ? '' : ` (${child.error_message})`}`,
        );
      if (failures.length > 0) throw stageFailure(index, stage, failures);
      if (stage.wait_condition === 'running') await waitRunning(deps, context, stage, children);
      if (stage.wait_condition === 'delay' && stage.wait_seconds > 0) {
        await context.log('info', `waiting ${stage.wait_seconds} s before the next stage`);
        await deps.clock.sleep(stage.wait_seconds * 1000, context.signal);
      }
      return { stage: stage.name, children };
    },
    // The stage happened when every VM has a completed child under this parent; otherwise run() goes on from
    // where it stood (it reuses the children already started).
    inspect: async (context): Promise<InspectResult<StageOutput>> => {
      const stage = stageOf(context.input);
      const children: StageChild[] = [];
      for (const vm of stage.vms) {
        const child = await childOf(deps, context.jobId, vm);
        const job = child === undefined ? undefined : await deps.repositories.workflowJobs.getJob(child.id);
        if (job?.status !== 'completed') return { happened: false };
        children.push({
          context_id: vm.context_id,
          vm_name: vm.vm_name,
          failover_job_id: job.external_job_id,
          workflow_job_id: job.id,
          status: job.status,
          error_message: null,
        });
      }
      return { happened: true, output: { stage: stage.name, children } };
    },
  };
}
