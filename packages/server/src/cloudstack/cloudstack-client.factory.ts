// The long-lived CloudStack client of the server (volume daemon, failover): built from the stored active
// configuration, logging through the server logger (the client never logs keys or parameters).
import { CloudStackClient, type CloudStackLogger, type FetchLike } from '@migratekit/cloudstack';
import { systemClock } from '@migratekit/core';
import type { ResolvedCloudStackConfig } from '../services/cloudstack-config.service';

export function cloudStackClientFromConfig(
  config: Pick<ResolvedCloudStackConfig, 'apiUrl' | 'apiKey' | 'secretKey'>,
  options: { logger?: CloudStackLogger; fetch?: FetchLike } = {},
): CloudStackClient {
  return new CloudStackClient({
    apiUrl: config.apiUrl,
    apiKey: config.apiKey,
    secretKey: config.secretKey,
    // Signatures expire against CloudStack's wall clock: never a test or injected clock.
    clock: systemClock,
    ...(options.logger === undefined ? {} : { logger: options.logger }),
    ...(options.fetch === undefined ? {} : { fetch: options.fetch }),
  });
}
