// The first-run checklist of docs/install.md#first-run-setup: which of the five setup steps are done, each
// with what is wrong, computed from real state. The vCenter step reads the last recorded test of the default
// credential (the operator may have pinned a self-signed certificate for that test only, so the server cannot
// redo it on its own); the CloudStack step tests the active configuration live; the agent steps read the agent
// directory; the discovery step reads the last recorded discovery run.
import { isMigrateKitError } from '@migratekit/core';
import type { AgentDirectoryService } from '../agents/agent-directory.service';
import type { CloudStackTarget, ConnectionTestResult } from '../cloudstack';
import type { AuditContext, AuditEventView, AuditService } from '../services/audit.service';
import type { CloudStackConfigService, CloudStackConfigView } from '../services/cloudstack-config.service';
import type { VmwareCredentialService, VmwareCredentialView } from '../services/vmware-credential.service';

export const SETUP_STEP_IDS = ['vcenter', 'cloudstack', 'agent_paired', 'agent_online', 'discovery'] as const;
export type SetupStepId = (typeof SETUP_STEP_IDS)[number];

export interface SetupStep {
  id: SetupStepId;
  done: boolean;
  /** What is done, or what is wrong and what to do about it. */
  message: string;
  /** The MKE_* code of a failed check, when there is one. */
  code: string | null;
}

export interface SetupStatus {
  /** Every step done. */
  complete: boolean;
  /** No vCenter credential, no CloudStack configuration or no agent: the dashboard opens the checklist. */
  first_run: boolean;
  steps: SetupStep[];
}

/** The failed outcome of a remote check, in the shape the connection-test routes answer. */
export interface RecordedFailure {
  code: string;
  message: string;
}

export interface SetupServiceDeps {
  credentials: Pick<VmwareCredentialService, 'list'>;
  cloudStackConfigs: Pick<CloudStackConfigService, 'list' | 'resolve'>;
  /** Tests a CloudStack endpoint; throws a MigrateKitError saying what is wrong. */
  testCloudStack: (target: CloudStackTarget) => Promise<ConnectionTestResult>;
  agents: Pick<AgentDirectoryService, 'list'>;
  audit: Pick<AuditService, 'list' | 'record'>;
}

export const VCENTER_TEST_ACTION = 'vmware_credential.test';
export const DISCOVERY_ACTION = 'discovery.run';

/** The CloudStack choices a failover needs before anything can be created in the target cloud. */
const REQUIRED_CLOUDSTACK_IDS: ReadonlyArray<[keyof CloudStackConfigView, string]> = [
  ['zone_id', 'zone'],
  ['template_id', 'placeholder template'],
  ['service_offering_id', 'service offering'],
  ['disk_offering_id', 'disk offering'],
];

function step(id: SetupStepId, done: boolean, message: string, code: string | null = null): SetupStep {
  return { id, done, message, code };
}

export class SetupService {
  constructor(private readonly deps: SetupServiceDeps) {}

  /** Keeps the outcome of a credential's "Test" so the checklist can show it (in the audit trail). */
  async recordVcenterTest(
    credentialId: string,
    outcome: { ok: true; product: string; version: string } | { ok: false; error: RecordedFailure },
    ctx: AuditContext,
  ): Promise<void> {
    await this.deps.audit.record({
      actor: ctx.principal,
      action: VCENTER_TEST_ACTION,
      targetType: 'vmware_credential',
      targetId: credentialId,
      outcome: outcome.ok ? 'success' : 'failure',
      details: outcome.ok
        ? { product: outcome.product, version: outcome.version }
        : { code: outcome.error.code, message: outcome.error.message },
      ...(ctx.requestId === undefined ? {} : { requestId: ctx.requestId }),
    });
  }

  /** Keeps who listed which vCenter's VMs, and how many were found. */
  async recordDiscovery(result: { vcenter_host: string; vms: readonly unknown[] }, ctx: AuditContext): Promise<void> {
    await this.deps.audit.record({
      actor: ctx.principal,
      action: DISCOVERY_ACTION,
      targetType: 'vcenter',
      targetId: result.vcenter_host,
      details: { vms: result.vms.length },
      ...(ctx.requestId === undefined ? {} : { requestId: ctx.requestId }),
    });
  }

  async status(): Promise<SetupStatus> {
    const [credentials, configs, agents, discovery] = await Promise.all([
      this.deps.credentials.list(),
      this.deps.cloudStackConfigs.list(),
      this.deps.agents.list(),
      this.lastAudit(DISCOVERY_ACTION),
    ]);
    const active = configs.find((c) => c.is_active);
    const steps = [
      await this.vcenterStep(credentials),
      await this.cloudStackStep(active),
      ...agentSteps(agents),
      discoveryStep(
        discovery,
        agents.some((a) => a.status === 'online'),
      ),
    ];
    return {
      complete: steps.every((s) => s.done),
      first_run: credentials.length === 0 || active === undefined || agents.length === 0,
      steps,
    };
  }

  private async vcenterStep(credentials: VmwareCredentialView[]): Promise<SetupStep> {
    const credential = credentials.find((c) => c.is_default) ?? credentials[0];
    if (credential === undefined)
      return step('vcenter', false, 'No vCenter credential yet: add the vCenter that discovery and replication use.');
    if (!credential.is_active)
      return step('vcenter', false, `Credential ${credential.name} is inactive: activate it or add another.`);
    const test = await this.lastAudit(VCENTER_TEST_ACTION, credential.id);
    if (test === undefined || test.created_at < credential.updated_at)
      return step(
        'vcenter',
        false,
        `Credential ${credential.name} (${credential.vcenter_host}) has not been tested since it was saved: test it.`,
      );
    const details = test.details ?? {};
    const text = (key: string, fallback: string): string => {
      const value = details[key];
      return typeof value === 'string' ? value : fallback;
    };
    if (test.outcome !== 'success') {
      const code = typeof details.code === 'string' ? details.code : null;
      return step(
        'vcenter',
        false,
        `The last test of ${credential.name} failed: ${text('message', 'no reason recorded')}`,
        code,
      );
    }
    return step(
      'vcenter',
      true,
      `${credential.name} connected to ${credential.vcenter_host} (${text('product', 'vCenter')}).`,
    );
  }

  private async cloudStackStep(active: CloudStackConfigView | undefined): Promise<SetupStep> {
    if (active === undefined)
      return step('cloudstack', false, 'No CloudStack configuration yet: add the management server and its API keys.');
    try {
      const resolved = await this.deps.cloudStackConfigs.resolve(active.id);
      await this.deps.testCloudStack({
        apiUrl: resolved.apiUrl,
        apiKey: resolved.apiKey,
        secretKey: resolved.secretKey,
      });
    } catch (error) {
      if (!isMigrateKitError(error)) throw error;
      return step('cloudstack', false, `${active.name}: ${error.message}`, error.code);
    }
    const missing = REQUIRED_CLOUDSTACK_IDS.filter(([field]) => active[field] === null).map(([, label]) => label);
    if (missing.length > 0)
      return step(
        'cloudstack',
        false,
        `${active.name} connects, but has no ${missing.join(', ')} chosen: discover resources and save.`,
      );
    return step('cloudstack', true, `${active.name} connects to ${active.api_url}; zone and offerings are chosen.`);
  }

  private async lastAudit(action: string, targetId?: string): Promise<AuditEventView | undefined> {
    const page = await this.deps.audit.list({ action, ...(targetId === undefined ? {} : { targetId }), limit: 1 });
    return page.items[0];
  }
}

type AgentEntry = Awaited<ReturnType<AgentDirectoryService['list']>>[number];

function agentSteps(agents: readonly AgentEntry[]): [SetupStep, SetupStep] {
  if (agents.length === 0)
    return [
      step('agent_paired', false, 'No agent paired yet: create a pairing token and run the pair command.'),
      step('agent_online', false, 'Waiting for an agent: pair one first.'),
    ];
  const names = agents.map((a) => a.name).join(', ');
  const paired = step('agent_paired', true, `Paired: ${names}.`);
  const online = agents.filter((a) => a.status === 'online');
  if (online.length > 0)
    return [paired, step('agent_online', true, `Online: ${online.map((a) => a.name).join(', ')}.`)];
  // 'paired': the agent traded its token but never opened its control channel.
  const seen = agents.filter((a) => a.status !== 'paired');
  return [
    paired,
    step(
      'agent_online',
      false,
      seen.length === 0
        ? `${names} paired but never connected: start the agent (systemctl start migratekit-agent).`
        : `No agent is online; last contact ${seen
            .map((a) => `${a.name} at ${a.last_seen?.toISOString() ?? 'unknown'}`)
            .join(', ')}: check that the agent runs and reaches this server's agent port.`,
    ),
  ];
}

function discoveryStep(last: AuditEventView | undefined, agentOnline: boolean): SetupStep {
  if (last !== undefined) {
    const vms = last.details?.vms;
    return step(
      'discovery',
      true,
      `Discovered ${typeof vms === 'number' ? vms : '?'} VM(s) on ${last.target_id ?? 'vCenter'} (by ${last.actor}, ${last.created_at}).`,
    );
  }
  return step(
    'discovery',
    false,
    agentOnline
      ? 'No discovery has run yet: run the first one.'
      : 'No discovery has run yet; it needs an online agent.',
  );
}
