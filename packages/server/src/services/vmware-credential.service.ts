// vCenter credentials. The password is sealed with the SecretBox before it reaches the repository, bound to
// the row id so a ciphertext copied to another row does not open; it leaves this service only through
// resolveForUse(), for code that talks to vCenter, and never in a view.
import { MigrateKitError, newId } from '@migratekit/core';
import type { ContextRepository, VmwareCredentialRepository, VmwareCredentialRow } from '@migratekit/db';
import type { SecretBox } from '../security/secret-box';
import type { AuditContext, AuditService } from './audit.service';
import { NamedRecords } from './named-record';

export interface VmwareCredentialServiceDeps {
  credentials: VmwareCredentialRepository;
  /** Needed by usage() and delete(); code that only resolves credentials may leave it out. */
  contexts?: Pick<ContextRepository, 'list'>;
  secrets: SecretBox;
  audit: AuditService;
}

export interface VmwareCredentialView {
  id: string;
  name: string;
  vcenter_host: string;
  username: string;
  has_password: boolean;
  datacenter: string | null;
  is_active: boolean;
  is_default: boolean;
  last_used: string | null;
  usage_count: number;
  created_by: string | null;
  created_at: string;
  updated_at: string;
}

export interface CreateVmwareCredentialInput {
  name: string;
  vcenter_host: string;
  username: string;
  password: string;
  datacenter?: string | null;
  is_active?: boolean;
  is_default?: boolean;
}

export type UpdateVmwareCredentialInput = Partial<Omit<CreateVmwareCredentialInput, 'is_default'>>;

export interface VmwareCredentialUsage {
  credential_id: string;
  usage_count: number;
  last_used: string | null;
  /** Managed VMs whose context points at this credential. */
  contexts_total: number;
  contexts: { context_id: string; vm_name: string; current_status: string }[];
}

/** What a vCenter client needs: the only shape that carries the clear password. */
export interface ResolvedVmwareCredential {
  id: string;
  vcenterHost: string;
  username: string;
  password: string;
  datacenter: string | null;
}

function passwordContext(id: string): string {
  return `vmware_credentials.password:${id}`;
}

/** Accepts `host`, `host:port` or a pasted URL (`https://vc.example.com/sdk`) and keeps host[:port]. */
export function normalizeVcenterHost(input: string, field = 'body.vcenter_host'): string {
  const trimmed = input.trim();
  const name = field.replace(/^body\./, '');
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed)) {
    try {
      return new URL(trimmed).host;
    } catch {
      throw new MigrateKitError('MKE_VALIDATION', { message: `${name} is not a valid host or URL`, field });
    }
  }
  if (!/^[A-Za-z0-9.-]+(:\d{1,5})?$|^\[[0-9a-fA-F:]+\](:\d{1,5})?$/.test(trimmed)) {
    throw new MigrateKitError('MKE_VALIDATION', { message: `${name} must be a host name or host:port`, field });
  }
  return trimmed;
}

export interface InlineVcenterInput {
  credential_id?: string | undefined;
  vcenter?: string | undefined;
  username?: string | undefined;
  password?: string | undefined;
}

/**
 * A vCenter login given in a request body instead of a stored credential id: all of vcenter, username and
 * password, or none (undefined: use credential_id or the default). A partial one is refused naming the
 * missing field, never silently completed from the stored default; the host is normalised like a stored one.
 */
export function inlineVcenterLogin(
  input: InlineVcenterInput,
): { host: string; username: string; password: string } | undefined {
  const { vcenter, username, password } = input;
  if (vcenter === undefined && username === undefined && password === undefined) return undefined;
  const missing = (['vcenter', 'username', 'password'] as const).find((key) => input[key] === undefined);
  if (missing !== undefined)
    throw new MigrateKitError('MKE_VALIDATION', {
      message: `${missing} is required with an inline vCenter login (vcenter, username and password together)`,
      field: `body.${missing}`,
    });
  if (input.credential_id !== undefined)
    throw new MigrateKitError('MKE_VALIDATION', {
      message: 'give either credential_id or an inline vCenter login, not both',
      field: 'body.credential_id',
    });
  return {
    host: normalizeVcenterHost(vcenter as string, 'body.vcenter'),
    username: username as string,
    password: password as string,
  };
}

export function toVmwareCredentialView(row: VmwareCredentialRow): VmwareCredentialView {
  return {
    id: row.id,
    name: row.name,
    vcenter_host: row.vcenter_host,
    username: row.username,
    has_password: row.password !== '',
    datacenter: row.datacenter,
    is_active: row.is_active,
    is_default: row.is_default,
    last_used: row.last_used === null ? null : row.last_used.toISOString(),
    usage_count: row.usage_count,
    created_by: row.created_by,
    created_at: row.created_at.toISOString(),
    updated_at: row.updated_at.toISOString(),
  };
}

export class VmwareCredentialService {
  private readonly records: NamedRecords<VmwareCredentialRow>;

  constructor(private readonly deps: VmwareCredentialServiceDeps) {
    this.records = new NamedRecords(deps.credentials, deps.audit, 'VMware credential', 'vmware_credential');
  }

  async list(): Promise<VmwareCredentialView[]> {
    return (await this.deps.credentials.list()).map(toVmwareCredentialView);
  }

  async get(id: string): Promise<VmwareCredentialView> {
    return toVmwareCredentialView(await this.records.require(id));
  }

  async create(input: CreateVmwareCredentialInput, ctx: AuditContext): Promise<VmwareCredentialView> {
    await this.records.assertNameFree(input.name);
    const { credentials, secrets } = this.deps;
    const id = newId('cred');
    // The first credential becomes the default so discovery works without another step.
    const isDefault = input.is_default ?? (await credentials.getDefault()) === undefined;
    const row = await credentials.insert({
      id,
      name: input.name,
      vcenter_host: normalizeVcenterHost(input.vcenter_host),
      username: input.username,
      password: secrets.seal(input.password, passwordContext(id)),
      datacenter: input.datacenter ?? null,
      is_active: input.is_active ?? true,
      is_default: isDefault,
      created_by: ctx.principal.username,
    });
    await this.records.record(ctx, 'vmware_credential.create', id, { name: row.name, vcenter_host: row.vcenter_host });
    return toVmwareCredentialView(row);
  }

  async update(id: string, input: UpdateVmwareCredentialInput, ctx: AuditContext): Promise<VmwareCredentialView> {
    const current = await this.records.require(id);
    if (input.name !== undefined && input.name !== current.name) await this.records.assertNameFree(input.name);
    const changes = {
      ...(input.name === undefined ? {} : { name: input.name }),
      ...(input.vcenter_host === undefined ? {} : { vcenter_host: normalizeVcenterHost(input.vcenter_host) }),
      ...(input.username === undefined ? {} : { username: input.username }),
      ...(input.password === undefined
        ? {}
        : { password: this.deps.secrets.seal(input.password, passwordContext(id)) }),
      ...(input.datacenter === undefined ? {} : { datacenter: input.datacenter }),
      ...(input.is_active === undefined ? {} : { is_active: input.is_active }),
    };
    const row = await this.deps.credentials.update(id, changes);
    if (row === undefined) throw this.records.notFound(id);
    // Field names only: the audit trail records that the password changed, never what to.
    await this.records.record(ctx, 'vmware_credential.update', id, { fields: Object.keys(changes) });
    return toVmwareCredentialView(row);
  }

  async setDefault(id: string, ctx: AuditContext): Promise<VmwareCredentialView> {
    const row = await this.deps.credentials.setDefault(id);
    if (row === undefined) throw this.records.notFound(id);
    await this.records.record(ctx, 'vmware_credential.set_default', id, { name: row.name });
    return toVmwareCredentialView(row);
  }

  async usage(id: string): Promise<VmwareCredentialUsage> {
    const row = await this.records.require(id);
    const page = await this.contexts().list({ credentialId: id }, { limit: 100, sort: 'vm_name' });
    return {
      credential_id: id,
      usage_count: row.usage_count,
      last_used: row.last_used === null ? null : row.last_used.toISOString(),
      contexts_total: page.total,
      contexts: page.items.map((c) => ({
        context_id: c.context_id,
        vm_name: c.vm_name,
        current_status: c.current_status,
      })),
    };
  }

  /** Refuses while managed VMs use the credential, unless `force` (their replication would then fail). */
  async delete(id: string, ctx: AuditContext, force = false): Promise<VmwareCredentialView> {
    const row = await this.records.require(id);
    const inUse = (await this.contexts().list({ credentialId: id }, { limit: 1 })).total;
    if (inUse > 0 && !force) {
      throw new MigrateKitError('MKE_CONFLICT', {
        message: `VMware credential ${row.name} is used by ${inUse} managed VM(s); pass force=true to delete it anyway`,
        details: { contexts_total: inUse },
      });
    }
    await this.deps.credentials.delete(id);
    await this.records.record(ctx, 'vmware_credential.delete', id, {
      name: row.name,
      ...(inUse > 0 ? { forced_with_contexts: inUse } : {}),
    });
    return toVmwareCredentialView(row);
  }

  /** The clear credential for a vCenter connection (default when no id); counts the use. */
  async resolveForUse(id?: string): Promise<ResolvedVmwareCredential> {
    const row = id === undefined ? await this.deps.credentials.getDefault() : await this.deps.credentials.get(id);
    if (row === undefined) {
      throw new MigrateKitError('MKE_NOT_FOUND', {
        message: id === undefined ? 'No default VMware credential is configured' : `VMware credential ${id} not found`,
      });
    }
    if (!row.is_active)
      throw new MigrateKitError('MKE_CONFLICT', { message: `VMware credential ${row.name} is inactive` });
    const password = this.deps.secrets.open(row.password, passwordContext(row.id));
    await this.deps.credentials.recordUse(row.id);
    return { id: row.id, vcenterHost: row.vcenter_host, username: row.username, password, datacenter: row.datacenter };
  }

  private contexts(): Pick<ContextRepository, 'list'> {
    if (this.deps.contexts === undefined)
      throw new Error('VmwareCredentialService was built without the contexts repository');
    return this.deps.contexts;
  }
}
