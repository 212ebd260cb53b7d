// The server's one way to the target cloud: the client of the ACTIVE CloudStack configuration, built on first
// use and rebuilt when the configuration changes (another one activated, keys or URL edited), so activating a
// configuration takes effect without a restart. Without an active configuration every caller gets
// MKE_NOT_CONFIGURED naming what is missing.
import { createHash } from 'node:crypto';
import type { CloudStackClient } from '@migratekit/cloudstack';
import { MigrateKitError, isMigrateKitError } from '@migratekit/core';
import type { CloudStackConfigService, ResolvedCloudStackConfig } from '../services/cloudstack-config.service';

export interface ActiveCloudStack {
  client: CloudStackClient;
  config: ResolvedCloudStackConfig;
}

export interface CloudStackAccess {
  /** The active configuration and its client; MKE_NOT_CONFIGURED when none is active. */
  active(): Promise<ActiveCloudStack>;
  /** The active configuration with a server VM id (volumes attach to it); MKE_NOT_CONFIGURED otherwise. */
  withServerVm(): Promise<ActiveCloudStack & { serverVmId: string }>;
}

export interface CloudStackAccessDeps {
  configs: Pick<CloudStackConfigService, 'resolveActive'>;
  /** Builds a client for a configuration (production: cloudStackClientFromConfig; dev: fast job polling). */
  createClient(config: ResolvedCloudStackConfig): CloudStackClient;
  /**
   * This server's own data-mover VM (MIGRATEKIT_SERVER_VM_ID, docs/scale-out.md#data-movers): with several
   * servers each attaches volumes to the VM it runs in; it overrides the configuration's server_vm_id.
   */
  serverVmId?: string | undefined;
}

/** A configuration's identity for caching (a changed URL or key pair needs a new client), hashed. */
function fingerprint(config: ResolvedCloudStackConfig): string {
  return createHash('sha256')
    .update(JSON.stringify([config.id, config.apiUrl, config.apiKey, config.secretKey]))
    .digest('hex');
}

export function createCloudStackAccess(deps: CloudStackAccessDeps): CloudStackAccess {
  let cached: { key: string; client: CloudStackClient } | undefined;
  const active = async (): Promise<ActiveCloudStack> => {
    let config: ResolvedCloudStackConfig;
    try {
      config = await deps.configs.resolveActive();
    } catch (error) {
      if (isMigrateKitError(error) && error.code === 'MKE_NOT_FOUND')
        throw new MigrateKitError('MKE_NOT_CONFIGURED', {
          message: 'No active CloudStack configuration: add one under Settings > CloudStack and activate it',
          details: { missing: 'cloudstack_config' },
        });
      throw error;
    }
    const key = fingerprint(config);
    if (cached?.key !== key) cached = { key, client: deps.createClient(config) };
    return { client: cached.client, config };
  };
  return {
    active,
    withServerVm: async () => {
      const found = await active();
      const serverVmId = deps.serverVmId ?? found.config.serverVmId;
      if (serverVmId === null)
        throw new MigrateKitError('MKE_NOT_CONFIGURED', {
          message: `The active CloudStack configuration ${found.config.name} names no server VM (server_vm_id)`,
          details: { missing: 'server_vm_id', config_id: found.config.id },
        });
      return { ...found, serverVmId };
    },
  };
}
