// The failover steps on the source side: validate (pre-flight), power off the source (live) and the final
// incremental sync (live, optional). Each inspect reads the real state (the database, vCenter through the agent).
import type { PowerAction, PowerResult } from '@migratekit/agent/protocol';
import { MigrateKitError } from '@migratekit/core';
import { vcenterParams } from '../replication/vcenter-params';
import type { InspectResult, StepDefinition } from '../workflows';
import type { FailoverDeps } from './failover-deps';
import type { FailoverWorkflowInput } from './failover.types';
import { sweepFailover } from './failover-sweep';
import { runPreflight, type PlannedNic, type PlannedVolume } from './preflight';

type Step<Outputs, Output> = StepDefinition<FailoverWorkflowInput, Outputs, Output>;

export interface ValidateOutput {
  volumes: PlannedVolume[];
  nics: PlannedNic[];
  cpu_count: number | null;
  memory_mb: number | null;
  os_type: string | null;
  power_state: string | null;
}

export function validateStep(deps: FailoverDeps): Step<object, ValidateOutput> {
  return {
    run: async ({ input, log }) => {
      const context = await deps.repositories.contexts.require(input.contextId);
      const report = await runPreflight(
        deps,
        context,
        input.type,
        input.options,
        input.targetVmName,
        input.failoverJobId,
      );
      for (const warning of report.warnings) await log('warn', warning);
      const failed = report.checks.filter((c) => !c.ok);
      if (failed.length > 0)
        throw new MigrateKitError('MKE_VALIDATION', {
          message: `Pre-flight failed: ${failed.map((c) => `${c.name}: ${c.message}`).join('; ')}`,
          details: { checks: failed },
        });
      await deps.repositories.failoverJobs.update(input.failoverJobId, {
        status: 'running',
        network_mappings: report.nics,
      });
      return {
        volumes: report.volumes,
        nics: report.nics,
        cpu_count: context.cpu_count,
        memory_mb: context.memory_mb,
        os_type: context.os_type,
        power_state: context.power_state,
      };
    },
    // Validation changes nothing outside the failover's own row: asking again is always safe.
    inspect: () => Promise.resolve({ happened: false }),
    // Runs last of all compensations: removes what a step interrupted half way left (failover-sweep.ts).
    compensate: ({ input, signal }) => sweepFailover(deps, input, signal),
  };
}

/** Asks vCenter, through an agent, to act on the source VM's power. */
async function power(
  deps: FailoverDeps,
  contextId: string,
  action: PowerAction,
  timeoutMs: number,
  signal: AbortSignal,
  shutdownTimeoutMs?: number,
): Promise<PowerResult> {
  const context = await deps.repositories.contexts.require(contextId);
  const credential = await deps.credentials.resolveForUse(context.credential_id ?? undefined);
  return deps.agents.request(
    credential.vcenterHost,
    'vm.power',
    {
      vcenter: vcenterParams(credential),
      vm_id: context.vmware_vm_id,
      action,
      ...(shutdownTimeoutMs === undefined ? {} : { shutdown_timeout_ms: shutdownTimeoutMs }),
    },
    { timeoutMs, signal },
  );
}

const POWER_REQUEST_MS = 120_000;

export interface PowerOffOutput {
  /** Whether the source was on before: only then does the compensation power it back on. */
  was_powered_on: boolean;
  outcome: string;
}

export function powerOffStep(deps: FailoverDeps): Step<{ validate: ValidateOutput }, PowerOffOutput> {
  return {
    run: async ({ input, signal, log }) => {
      const before = await power(deps, input.contextId, 'state', POWER_REQUEST_MS, signal);
      if (before.power_state === 'poweredOff') {
        await log('info', 'The source VM is already powered off');
        return { was_powered_on: false, outcome: 'already-off' };
      }
      const timeout = input.options.shutdown_timeout_ms;
      await log('info', `Shutting the guest down (hard power-off after ${Math.round(timeout / 1000)} s)`);
      const result = await power(deps, input.contextId, 'shutdown', timeout + POWER_REQUEST_MS, signal, timeout);
      if (result.power_state !== 'poweredOff')
        throw new MigrateKitError('MKE_VSPHERE_INVALID_STATE', {
          message: `The source VM is ${result.power_state} after the shutdown`,
        });
      await deps.repositories.contexts.update(input.contextId, { power_state: 'poweredOff' });
      return { was_powered_on: true, outcome: result.outcome ?? 'powered-off' };
    },
    inspect: async ({ input, outputs, signal }): Promise<InspectResult<PowerOffOutput>> => {
      const now = await power(deps, input.contextId, 'state', POWER_REQUEST_MS, signal);
      if (now.power_state !== 'poweredOff') return { happened: false };
      return {
        happened: true,
        output: { was_powered_on: outputs.validate.power_state !== 'poweredOff', outcome: 'found-off' },
      };
    },
    compensate: async ({ input, signal, log }, output) => {
      if (!output.was_powered_on) return;
      const result = await power(deps, input.contextId, 'on', POWER_REQUEST_MS, signal);
      await deps.repositories.contexts.update(input.contextId, { power_state: result.power_state });
      await log('info', `Source VM powered back on (${result.power_state})`);
    },
  };
}

export type FinalSyncOutput =
  { skipped: true; reason: string } | { skipped: false; replication_job_id: string; status: string };

export function finalSyncStep(deps: FailoverDeps): Step<object, FinalSyncOutput> {
  const { repositories } = deps;
  /** A replication of this context that completed after the failover began: the final sync happened. */
  const completedSince = async (input: FailoverWorkflowInput) => {
    const job = await repositories.failoverJobs.require(input.failoverJobId);
    const last = await repositories.replicationJobs.findLastCompletedForContext(input.contextId);
    return last !== undefined && (last.completed_at?.getTime() ?? 0) >= job.created_at.getTime() ? last : undefined;
  };
  return {
    run: async ({ input, log }) => {
      if (!input.options.final_sync) return { skipped: true, reason: 'final sync not requested' };
      const done = await completedSince(input);
      if (done !== undefined) return { skipped: false, replication_job_id: done.id, status: done.status };
      const active = await repositories.replicationJobs.findActiveForContext(input.contextId);
      const job = active ?? (await deps.replication.start(input.contextId, { owner: 'failover' }));
      await log('info', `Final incremental sync ${job.id} after power-off`);
      const finished = await deps.replication.wait(job.id);
      if (finished.status !== 'completed')
        throw new MigrateKitError('MKE_UPSTREAM_ERROR', {
          message: `The final sync ${job.id} ended ${finished.status}: ${finished.error_message ?? 'no reason given'}`,
        });
      return { skipped: false, replication_job_id: finished.id, status: finished.status };
    },
    inspect: async ({ input }) => {
      if (!input.options.final_sync)
        return { happened: true, output: { skipped: true, reason: 'final sync not requested' } };
      const done = await completedSince(input);
      return done === undefined
        ? { happened: false }
        : { happened: true, output: { skipped: false, replication_job_id: done.id, status: done.status } };
    },
  };
}
