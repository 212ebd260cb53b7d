// Pre-flight of a failover (docs/failover.md#pre-flight): every condition is checked and reported, so the operator
// sees all that blocks at once; the validate step runs the same checks and refuses to go on when one fails.
import { ACTIVE_FAILOVER_STATUSES, errorMessage, isMigrateKitError } from '@migratekit/core';
import type { ContextRecord, FailoverJobRecord } from '@migratekit/db';
import { targetZone } from '../network-mapping/network-catalog';
import type { ValidatedNetworkConfig } from '../network-mapping/network-config.service';
import { failoverCloud } from './failover-cloud';
import type { FailoverDeps } from './failover-deps';
import type { FailoverOptions, FailoverType } from './failover.types';

export interface PreflightCheck {
  name:
    | 'context_status'
    | 'no_active_job'
    | 'last_sync'
    | 'networks'
    | 'target_zone'
    | 'volumes'
    | 'agent'
    | 'target_name'
    | 'guest_conversion';
  ok: boolean;
  message: string;
}

export interface PlannedVolume {
  volume_id: string;
  disk_id: string | null;
}

export interface PlannedNic {
  network_id: string;
  /** The MAC to request; null lets CloudStack choose. */
  mac_address: string | null;
  source_network_name: string;
}

export interface PreflightReport {
  ok: boolean;
  checks: PreflightCheck[];
  warnings: string[];
  last_sync_at: string | null;
  sync_age_ms: number | null;
  power_state: string | null;
  /** Root disk first (the lowest VMware device key). */
  volumes: PlannedVolume[];
  nics: PlannedNic[];
  network: ValidatedNetworkConfig | null;
}

/** A failover job that still holds its VM: active, or completed and neither rolled back nor cleaned up. */
export function holdsVm(job: FailoverJobRecord): boolean {
  return ACTIVE_FAILOVER_STATUSES.includes(job.status) || job.status === 'completed';
}

const diskOrder = (diskId: string | null): number =>
  Number(/(\d+)$/.exec(diskId ?? '')?.[1] ?? Number.MAX_SAFE_INTEGER);

export async function runPreflight(
  deps: FailoverDeps,
  context: ContextRecord,
  type: FailoverType,
  options: FailoverOptions,
  targetVmName: string,
  ownJobId?: string,
): Promise<PreflightReport> {
  const checks: PreflightCheck[] = [];
  const warnings: string[] = [];
  const check = (name: PreflightCheck['name'], ok: boolean, message: string): void => {
    checks.push({ name, ok, message });
  };
  check(
    'context_status',
    context.current_status === 'ready_for_failover',
    context.current_status === 'ready_for_failover'
      ? 'ready for failover'
      : `the VM is ${context.current_status}; a failover needs ready_for_failover`,
  );
  const blocking = await blockingJob(deps, context, ownJobId);
  check('no_active_job', blocking === null, blocking ?? 'no other job holds the VM');

  const lastSync = await deps.repositories.replicationJobs.findLastCompletedForContext(context.context_id);
  const lastSyncAt = lastSync?.completed_at ?? null;
  const age = lastSyncAt === null ? null : deps.clock.now().getTime() - lastSyncAt.getTime();
  if (age === null) check('last_sync', false, 'the VM has never completed a replication');
  else if (options.max_sync_age_ms !== null && age > options.max_sync_age_ms)
    check(
      'last_sync',
      false,
      `the last sync is ${Math.round(age / 1000)} s old (limit ${options.max_sync_age_ms / 1000} s)`,
    );
  else check('last_sync', true, `last sync ${Math.round(age / 1000)} s ago`);

  const { network, nics } = await networkCheck(deps, context, type, options, check);
  await targetZoneCheck(deps, options, check);
  const volumes = await volumeCheck(deps, context, check);
  await agentCheck(deps, context, check);
  await targetNameCheck(deps, targetVmName, check);
  if (!options.skip_conversion) await conversionCheck(deps, context, check, warnings);
  warnings.push(...(network?.warnings ?? []));
  return {
    ok: checks.every((c) => c.ok),
    checks,
    warnings,
    last_sync_at: lastSyncAt?.toISOString() ?? null,
    sync_age_ms: age,
    power_state: context.power_state,
    volumes,
    nics,
    network,
  };
}

/** What keeps a new failover of this VM from starting, in words, or null. */
export async function blockingJob(
  deps: FailoverDeps,
  context: ContextRecord,
  ownJobId?: string,
): Promise<string | null> {
  if (context.current_job_id !== null) return `job ${context.current_job_id} is running on this VM`;
  const replication = await deps.repositories.replicationJobs.findActiveForContext(context.context_id);
  if (replication !== undefined) return `replication ${replication.id} is ${replication.status}`;
  const holding = (await deps.repositories.failoverJobs.listByContext(context.context_id)).find(
    (job) => job.job_id !== ownJobId && holdsVm(job),
  );
  if (holding !== undefined) return `${holding.job_type} failover ${holding.job_id} is ${holding.status}`;
  return null;
}

async function networkCheck(
  deps: FailoverDeps,
  context: ContextRecord,
  type: FailoverType,
  options: FailoverOptions,
  check: (name: PreflightCheck['name'], ok: boolean, message: string) => void,
): Promise<{ network: ValidatedNetworkConfig | null; nics: PlannedNic[] }> {
  try {
    const network = await deps.networkConfig.validate(context.context_id, { type });
    const nics: PlannedNic[] = network.nics.flatMap((nic) =>
      nic.destination_network_id === null
        ? []
        : [
            {
              network_id: nic.destination_network_id,
              mac_address: options.keep_mac ? (nic.source_mac_address ?? nic.mac_address) : nic.mac_address,
              source_network_name: nic.source_network_name,
            },
          ],
    );
    const reasons = network.errors.map((e) => e.reason).join('; ');
    check('networks', network.ok, network.ok ? `${nics.length} NICs mapped` : `network mapping: ${reasons}`);
    return { network, nics };
  } catch (error) {
    check('networks', false, `network mapping: ${errorMessage(error)}`);
    return { network: null, nics: [] };
  }
}

/**
 * The zone the target VM deploys in (the configuration's, else the server VM's, as target-vm.ts decides) and the
 * template its placeholder root disk comes from: a template only in another zone would fail the deploy. The NICs'
 * networks are checked against the same zone by the network mapping validation (network-catalog.ts).
 */
async function targetZoneCheck(
  deps: FailoverDeps,
  options: FailoverOptions,
  check: (name: PreflightCheck['name'], ok: boolean, message: string) => void,
): Promise<void> {
  try {
    const cloud = await failoverCloud(deps);
    const { config, serverVmId } = await deps.cloudStack.withServerVm();
    const server = await cloud.vm(serverVmId);
    const zone = await cloud.read(() => targetZone(cloud.client, config));
    if (zone === null) {
      check('target_zone', false, 'no zone for the target VM: set zone_id in the CloudStack configuration');
      return;
    }
    const zoneName = zone.name ?? zone.id;
    const templateId = options.template_id ?? config.templateId ?? server?.templateid;
    if (templateId === undefined) {
      check('target_zone', false, 'no template for the target VM: set template_id in the CloudStack configuration');
      return;
    }
    const copies = await cloud.read(() => cloud.client.listTemplates({ templatefilter: 'all', id: templateId }));
    const usable = copies.some((t) => t.crossZones === true || t.zoneid === undefined || t.zoneid === zone.id);
    const where = copies.map((t) => t.zoneid ?? 'every zone').join(', ');
    check(
      'target_zone',
      usable,
      usable
        ? `the target VM deploys in zone ${zoneName}`
        : copies.length === 0
          ? `template ${templateId} not found in CloudStack`
          : `template ${copies[0]?.name ?? templateId} is not in zone ${zoneName}, the zone of the configured CloudStack target (it is in ${where})`,
    );
  } catch (error) {
    check('target_zone', false, `cannot check the target zone: ${errorMessage(error)}`);
  }
}

async function volumeCheck(
  deps: FailoverDeps,
  context: ContextRecord,
  check: (name: PreflightCheck['name'], ok: boolean, message: string) => void,
): Promise<PlannedVolume[]> {
  const rows = await deps.repositories.cloudstackVolumes.listByContext(context.context_id);
  const volumes = rows
    .map((row) => ({ volume_id: row.volume_id, disk_id: row.disk_id }))
    .sort((a, b) => diskOrder(a.disk_id) - diskOrder(b.disk_id));
  if (volumes.length === 0) {
    check('volumes', false, 'the VM has no CloudStack volumes');
    return volumes;
  }
  try {
    const { serverVmId } = await deps.cloudStack.withServerVm();
    const cloud = await failoverCloud(deps);
    const attached = await cloud.read(() => cloud.client.listVolumes({ virtualmachineid: serverVmId, listall: true }));
    const missing = volumes.filter((v) => !attached.some((a) => a.id === v.volume_id));
    check(
      'volumes',
      missing.length === 0,
      missing.length === 0
        ? `${volumes.length} volumes attached to the server`
        : `volumes not attached to the server: ${missing.map((v) => v.volume_id).join(', ')}`,
    );
  } catch (error) {
    check('volumes', false, `cannot read the volumes in CloudStack: ${errorMessage(error)}`);
  }
  return volumes;
}

async function targetNameCheck(
  deps: FailoverDeps,
  name: string,
  check: (name: PreflightCheck['name'], ok: boolean, message: string) => void,
): Promise<void> {
  try {
    const cloud = await failoverCloud(deps);
    const taken = (await cloud.read(() => cloud.client.listVirtualMachines({ name, listall: true }))).some(
      (vm) => vm.name === name && vm.state !== 'Expunging' && vm.state !== 'Destroyed',
    );
    check('target_name', !taken, taken ? `a CloudStack VM named ${name} already exists` : `target VM name ${name}`);
  } catch (error) {
    if (isMigrateKitError(error) && error.code === 'MKE_NOT_CONFIGURED') check('target_name', false, error.message);
    else check('target_name', false, `cannot list CloudStack VMs: ${errorMessage(error)}`);
  }
}

/**
 * What the conversion step will do: skipped (a warning), or refused before anything changes when it cannot work
 * (a Windows guest without virtio-win drivers, a stored inspection that found nothing to convert). The operator
 * who wants the failover anyway chooses skip_conversion.
 */
async function conversionCheck(
  deps: FailoverDeps,
  context: ContextRecord,
  check: (name: PreflightCheck['name'], ok: boolean, message: string) => void,
  warnings: string[],
): Promise<void> {
  const plan = await deps.guestConversion.preflight(context.context_id);
  if (plan.skipReason !== undefined) {
    warnings.push(`guest conversion will be skipped: ${plan.skipReason}`);
    return;
  }
  const found = plan.inspection;
  const guest =
    found?.distribution == null ? plan.osFamily : [found.distribution, found.version].filter(Boolean).join(' ');
  if (plan.blockingReason !== undefined)
    check('guest_conversion', false, `the ${guest} guest cannot be converted: ${plan.blockingReason}`);
  else check('guest_conversion', true, `the ${guest} guest will be converted for KVM`);
}

/** Some live server holds an agent whose scope covers the VM's vCenter (docs/scale-out.md#agents-and-scope). */
async function agentCheck(
  deps: FailoverDeps,
  context: ContextRecord,
  check: (name: PreflightCheck['name'], ok: boolean, message: string) => void,
): Promise<void> {
  if (context.vcenter_host === null) {
    const any = await deps.agents.anyReachable();
    check('agent', any, any ? 'an agent is online' : 'no agent is online');
    return;
  }
  try {
    const route = await deps.agents.route(context.vcenter_host);
    check('agent', true, `agent ${route.agentId} online${route.local ? '' : ` on server ${route.serverId}`}`);
  } catch (error) {
    if (!isMigrateKitError(error) || error.code !== 'MKE_AGENT_OFFLINE') throw error;
    check('agent', false, `no agent serving ${context.vcenter_host} is online`);
  }
}
