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

function required(value: string | undefined, field: string): string {
  if (value === undefined)
    throw new MigrateKitError('MKE_VALIDATION', {
      message: `body.${field} is required unless config_id names a stored configuration`,
      field: `body.${field}`,
    });
  return value;
}

/** Points a not-found from the service at the request field that named the configuration. */
async function naming<T>(field: string, lookup: Promise<T>): Promise<T> {
  try {
    return await lookup;
  } catch (error) {
    if (error instanceof MigrateKitError && error.code === 'MKE_NOT_FOUND')
      throw new MigrateKitError('MKE_NOT_FOUND', { message: error.message, field, cause: error });
    throw error;
  }
}

export async function resolveCloudStackTarget(ctx: AppContext, input: TargetInput): Promise<CloudStackTarget> {
  if (input.config_id !== undefined) {
    const configs = ctx.services.cloudStackConfigs;
    if (input.secret_key !== undefined) {
      // A secret typed in the form replaces the stored one, which then is not opened at all.
      const view = await naming('body.config_id', configs.get(input.config_id));
      return {
        apiUrl: normalizeCloudStackApiUrl(input.api_url ?? view.api_url),
        apiKey: input.api_key ?? view.api_key,
        secretKey: input.secret_key,
      };
    }
    const stored = await naming('body.config_id', configs.resolve(input.config_id));
    return {
      apiUrl: normalizeCloudStackApiUrl(input.api_url ?? stored.apiUrl),
      apiKey: input.api_key ?? stored.apiKey,
      secretKey: stored.secretKey,
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
