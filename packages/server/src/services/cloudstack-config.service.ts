// CloudStack connection settings. The operator types host:port; the stored api_url is the full API endpoint
// (`http(s)://host:port/client/api`). The secret key is sealed before storage, bound to the row id, and
// leaves this service only through resolve()/resolveActive() for code that signs CloudStack requests.
import { MigrateKitError, newId } from '@migratekit/core';
import type { CloudstackConfigRepository, CloudstackConfigRow } from '@migratekit/db';
import type { SecretBox } from '../security/secret-box';
import type { AuditContext, AuditService } from './audit.service';
import { NamedRecords } from './named-record';

export interface CloudStackConfigServiceDeps {
  configs: CloudstackConfigRepository;
  secrets: SecretBox;
  audit: AuditService;
}

const OPTIONAL_IDS = [
  'zone_id',
  'domain_id',
  'template_id',
  'service_offering_id',
  'disk_offering_id',
  'server_vm_id',
  'default_network_id',
] as const;
type OptionalIdField = (typeof OPTIONAL_IDS)[number];

export type CloudStackConfigView = {
  id: string;
  name: string;
  api_url: string;
  api_key: string;
  has_secret_key: boolean;
  is_active: boolean;
  created_at: string;
  updated_at: string;
} & Record<OptionalIdField, string | null>;

export type CreateCloudStackConfigInput = {
  name: string;
  api_url: string;
  api_key: string;
  secret_key: string;
  is_active?: boolean;
} & Partial<Record<OptionalIdField, string | null>>;

export type UpdateCloudStackConfigInput = Partial<Omit<CreateCloudStackConfigInput, 'is_active'>>;

export interface ResolvedCloudStackConfig {
  id: string;
  name: string;
  apiUrl: string;
  apiKey: string;
  secretKey: string;
  zoneId: string | null;
  domainId: string | null;
  templateId: string | null;
  serviceOfferingId: string | null;
  diskOfferingId: string | null;
  serverVmId: string | null;
  defaultNetworkId: string | null;
}

/** What a sealed secret key is bound to (also used by `migratekit server --check` to open it). */
export function cloudStackSecretContext(id: string): string {
  return `cloudstack_configs.secret_key:${id}`;
}

/**
 * `cloud.example.com:8080` -> `http://cloud.example.com:8080/client/api`. Without a scheme, ports 443 and
 * 8443 mean https and anything else http; an explicit scheme is kept; `/client/api` is added unless present.
 */
export function normalizeCloudStackApiUrl(input: string): string {
  const trimmed = input.trim();
  const invalid = (): MigrateKitError =>
    new MigrateKitError('MKE_VALIDATION', {
      message: 'api_url must be host:port or an http(s) URL of the CloudStack management server',
      field: 'body.api_url',
    });
  let candidate = trimmed;
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed)) {
    const port = /^[^/]*:(\d+)/.exec(trimmed)?.[1];
    candidate = `${port === '443' || port === '8443' ? 'https' : 'http'}://${trimmed}`;
  }
  let url: URL;
  try {
    url = new URL(candidate);
  } catch {
    throw invalid();
  }
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.hostname === '' || url.username !== '')
    throw invalid();
  let path = url.pathname.replace(/\/+$/, '');
  if (path.endsWith('/client')) path += '/api';
  else if (!path.endsWith('/client/api')) path += '/client/api';
  return `${url.protocol}//${url.host}${path}`;
}

export function toCloudStackConfigView(row: CloudstackConfigRow): CloudStackConfigView {
  return {
    id: row.id,
    name: row.name,
    api_url: row.api_url,
    api_key: row.api_key,
    has_secret_key: row.secret_key !== '',
    zone_id: row.zone_id,
    domain_id: row.domain_id,
    template_id: row.template_id,
    service_offering_id: row.service_offering_id,
    disk_offering_id: row.disk_offering_id,
    server_vm_id: row.server_vm_id,
    default_network_id: row.default_network_id,
    is_active: row.is_active,
    created_at: row.created_at.toISOString(),
    updated_at: row.updated_at.toISOString(),
  };
}

function pickIds(
  input: Partial<Record<OptionalIdField, string | null>>,
): Partial<Record<OptionalIdField, string | null>> {
  const out: Partial<Record<OptionalIdField, string | null>> = {};
  for (const key of OPTIONAL_IDS) if (input[key] !== undefined) out[key] = input[key];
  return out;
}

export class CloudStackConfigService {
  private readonly records: NamedRecords<CloudstackConfigRow>;

  constructor(private readonly deps: CloudStackConfigServiceDeps) {
    this.records = new NamedRecords(deps.configs, deps.audit, 'CloudStack configuration', 'cloudstack_config');
  }

  async list(): Promise<CloudStackConfigView[]> {
    return (await this.deps.configs.list()).map(toCloudStackConfigView);
  }

  async get(id: string): Promise<CloudStackConfigView> {
    return toCloudStackConfigView(await this.records.require(id));
  }

  async getActive(): Promise<CloudStackConfigView> {
    return toCloudStackConfigView(await this.requireActive());
  }

  async create(input: CreateCloudStackConfigInput, ctx: AuditContext): Promise<CloudStackConfigView> {
    await this.records.assertNameFree(input.name);
    const id = newId('csc');
    const ids = pickIds(input);
    const previous = await this.deps.configs.getActive();
    // The first configuration becomes the active one; a later one only when asked (is_active: true), so
    // adding a configuration never silently switches the one replication uses.
    const active = input.is_active ?? previous === undefined;
    const row = await this.deps.configs.insert({
      id,
      name: input.name,
      api_url: normalizeCloudStackApiUrl(input.api_url),
      api_key: input.api_key,
      secret_key: this.deps.secrets.seal(input.secret_key, cloudStackSecretContext(id)),
      zone_id: ids.zone_id ?? null,
      domain_id: ids.domain_id ?? null,
      template_id: ids.template_id ?? null,
      service_offering_id: ids.service_offering_id ?? null,
      disk_offering_id: ids.disk_offering_id ?? null,
      server_vm_id: ids.server_vm_id ?? null,
      default_network_id: ids.default_network_id ?? null,
      is_active: active,
    });
    await this.records.record(ctx, 'cloudstack_config.create', id, { name: row.name, api_url: row.api_url });
    if (active && previous !== undefined)
      await this.records.record(ctx, 'cloudstack_config.activate', id, {
        name: row.name,
        replaced_id: previous.id,
        replaced_name: previous.name,
      });
    return toCloudStackConfigView(row);
  }

  async update(id: string, input: UpdateCloudStackConfigInput, ctx: AuditContext): Promise<CloudStackConfigView> {
    const current = await this.records.require(id);
    if (input.name !== undefined && input.name !== current.name) await this.records.assertNameFree(input.name);
    const changes = {
      ...(input.name === undefined ? {} : { name: input.name }),
      ...(input.api_url === undefined ? {} : { api_url: normalizeCloudStackApiUrl(input.api_url) }),
      ...(input.api_key === undefined ? {} : { api_key: input.api_key }),
      ...(input.secret_key === undefined
        ? {}
        : { secret_key: this.deps.secrets.seal(input.secret_key, cloudStackSecretContext(id)) }),
      ...pickIds(input),
    };
    const row = await this.deps.configs.update(id, changes);
    if (row === undefined) throw this.records.notFound(id);
    await this.records.record(ctx, 'cloudstack_config.update', id, { fields: Object.keys(changes) });
    return toCloudStackConfigView(row);
  }

  async updateActive(input: UpdateCloudStackConfigInput, ctx: AuditContext): Promise<CloudStackConfigView> {
    return this.update((await this.requireActive()).id, input, ctx);
  }

  async activate(id: string, ctx: AuditContext): Promise<CloudStackConfigView> {
    const row = await this.deps.configs.activate(id);
    if (row === undefined) throw this.records.notFound(id);
    await this.records.record(ctx, 'cloudstack_config.activate', id, { name: row.name });
    return toCloudStackConfigView(row);
  }

  async delete(id: string, ctx: AuditContext): Promise<CloudStackConfigView> {
    const row = await this.records.require(id);
    await this.deps.configs.delete(id);
    await this.records.record(ctx, 'cloudstack_config.delete', id, { name: row.name });
    return toCloudStackConfigView(row);
  }

  /** A stored configuration with the clear secret key, for the CloudStack client. Missing: MKE_NOT_FOUND. */
  async resolve(id: string): Promise<ResolvedCloudStackConfig> {
    return this.toResolved(await this.records.require(id));
  }

  /** The active configuration with the clear secret key, for the CloudStack client. */
  async resolveActive(): Promise<ResolvedCloudStackConfig> {
    return this.toResolved(await this.requireActive());
  }

  private toResolved(row: CloudstackConfigRow): ResolvedCloudStackConfig {
    return {
      id: row.id,
      name: row.name,
      apiUrl: row.api_url,
      apiKey: row.api_key,
      secretKey: this.deps.secrets.open(row.secret_key, cloudStackSecretContext(row.id)),
      zoneId: row.zone_id,
      domainId: row.domain_id,
      templateId: row.template_id,
      serviceOfferingId: row.service_offering_id,
      diskOfferingId: row.disk_offering_id,
      serverVmId: row.server_vm_id,
      defaultNetworkId: row.default_network_id,
    };
  }

  private async requireActive(): Promise<CloudstackConfigRow> {
    const row = await this.deps.configs.getActive();
    if (row === undefined)
      throw new MigrateKitError('MKE_NOT_FOUND', { message: 'No active CloudStack configuration' });
    return row;
  }
}
