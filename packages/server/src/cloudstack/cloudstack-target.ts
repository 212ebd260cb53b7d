// Which CloudStack a test/discover request means: the values typed in the form (not saved yet), a stored
// configuration (optionally with some fields overridden while editing), or the active configuration.
import { MigrateKitError } from '@migratekit/core';
import type { AppContext } from '../app-context';
import { normalizeCloudStackApiUrl } from '../services/cloudstack-config.service';
import type { CloudStackTarget } from './cloudstack-connection';

export interface TargetInput {
  config_id?: string;
  api_url?: string;
  api_key?: string;
  secret_key?: string;
}

// Must match CloudStackConfigService's sealing context. TODO(server): a resolve(id) on that service, so the
// context string lives in one place.
const secretContext = (id: string): string => `cloudstack_configs.secret_key:${id}`;

function required(value: string | undefined, field: string): string {
  if (value === undefined)
    throw new MigrateKitError('MKE_VALIDATION', {
      message: `body.${field} is required unless config_id names a stored configuration`,
      field: `body.${field}`,
    });
  return value;
}

export async function resolveCloudStackTarget(ctx: AppContext, input: TargetInput): Promise<CloudStackTarget> {
  if (input.config_id !== undefined) {
    const row = await ctx.deps.repositories.cloudstackConfigs.get(input.config_id);
    if (row === undefined)
      throw new MigrateKitError('MKE_NOT_FOUND', {
        message: `CloudStack configuration ${input.config_id} not found`,
        field: 'body.config_id',
      });
    return {
      apiUrl: normalizeCloudStackApiUrl(input.api_url ?? row.api_url),
      apiKey: input.api_key ?? row.api_key,
      secretKey: input.secret_key ?? ctx.deps.secrets.open(row.secret_key, secretContext(row.id)),
    };
  }
  if (input.api_url === undefined && input.api_key === undefined && input.secret_key === undefined) {
    const active = await ctx.services.cloudStackConfigs.resolveActive();
    return { apiUrl: active.apiUrl, apiKey: active.apiKey, secretKey: active.secretKey };
  }
  return {
    apiUrl: normalizeCloudStackApiUrl(required(input.api_url, 'api_url')),
    apiKey: required(input.api_key, 'api_key'),
    secretKey: required(input.secret_key, 'secret_key'),
  };
}
