// "Test connection" and "discover resources" for the CloudStack settings page
// (docs/model.md#credentials-and-cloudstack-configuration). Each failure gets its own catalogue code so the GUI can say
// what to fix: the key (MKE_CLOUDSTACK_AUTH), the host or port (MKE_UPSTREAM_UNREACHABLE), the URL (MKE_UPSTREAM_BAD_URL:
// something answered, but not CloudStack), or an untrusted https certificate (MKE_UPSTREAM_TLS).
import {
  CloudStackApiError,
  CloudStackClient,
  CloudStackResponseError,
  CloudStackTransportError,
  toMigrateKitError,
  type FetchLike,
} from '@migratekit/cloudstack';
import { MigrateKitError, type Clock } from '@migratekit/core';
import { toDiscoveredResources, type DiscoveredResources } from './discovered-resources';

export interface CloudStackTarget {
  apiUrl: string;
  apiKey: string;
  secretKey: string;
}

export interface ConnectionDeps {
  clock: Clock;
  fetch?: FetchLike;
  requestTimeoutMs?: number;
}

export interface ConnectionTestResult {
  ok: true;
  api_url: string;
  cloudstack_version: string | null;
  zones: number;
  elapsed_ms: number;
}

/** The innermost cause of a fetch failure: "ECONNREFUSED", "ENOTFOUND", a timeout... */
function networkCause(error: unknown): string {
  let current: unknown = error;
  let detail = error instanceof Error ? error.message : String(error);
  for (let depth = 0; depth < 5 && current instanceof Error; depth++) {
    const code = (current as NodeJS.ErrnoException).code;
    if (typeof code === 'string') return code;
    if (current.name === 'TimeoutError') return 'timed out';
    detail = current.message;
    current = current.cause;
  }
  return detail;
}

/** Maps a failure of the first calls to the one thing the operator should check. */
export function connectionError(error: unknown, apiUrl: string): unknown {
  if (error instanceof CloudStackTransportError) {
    const cause = networkCause(error.cause);
    if (/CERT|SSL|TLS|SELF_SIGNED|HOSTNAME/i.test(cause))
      return new MigrateKitError('MKE_UPSTREAM_TLS', {
        message: `The TLS certificate of ${apiUrl} is not trusted (${cause}); use a trusted certificate or plain http on the LAN`,
        details: { api_url: apiUrl, cause },
        cause: error,
      });
    return new MigrateKitError('MKE_UPSTREAM_UNREACHABLE', {
      message: `Cannot reach the CloudStack management server at ${apiUrl} (${cause}); check the host and port`,
      details: { api_url: apiUrl, cause },
      cause: error,
    });
  }
  if (error instanceof CloudStackApiError && error.isAuthError) {
    return new MigrateKitError('MKE_CLOUDSTACK_AUTH', {
      message: 'CloudStack rejected the API key or secret key',
      details: { api_url: apiUrl, errorcode: error.errorCode },
      cause: error,
    });
  }
  if (error instanceof CloudStackResponseError || (error instanceof CloudStackApiError && error.errorCode === 432)) {
    const status = error instanceof CloudStackResponseError ? error.httpStatus : error.errorCode;
    return new MigrateKitError('MKE_UPSTREAM_BAD_URL', {
      message: `${apiUrl} answered (HTTP ${status}) but not as the CloudStack API; check the URL (host:port of the management server)`,
      details: { api_url: apiUrl, http_status: status },
      cause: error,
    });
  }
  return toMigrateKitError(error);
}

export function cloudStackClientFor(target: CloudStackTarget, deps: ConnectionDeps): CloudStackClient {
  return new CloudStackClient({
    apiUrl: target.apiUrl,
    apiKey: target.apiKey,
    secretKey: target.secretKey,
    clock: deps.clock,
    requestTimeoutMs: deps.requestTimeoutMs ?? 15_000,
    // An interactive check answers at once; retrying a refused connection only makes the operator wait.
    retry: { attempts: 0 },
    ...(deps.fetch === undefined ? {} : { fetch: deps.fetch }),
  });
}

export async function testCloudStackConnection(
  target: CloudStackTarget,
  deps: ConnectionDeps,
): Promise<ConnectionTestResult> {
  const client = cloudStackClientFor(target, deps);
  const started = Date.now();
  try {
    // listCapabilities is allowed for every account and proves the signature; listZones proves the account sees a zone.
    const capabilities = await client.listCapabilities();
    const zones = await client.listZones();
    return {
      ok: true,
      api_url: client.apiUrl,
      cloudstack_version: capabilities.cloudstackversion ?? null,
      zones: zones.length,
      elapsed_ms: Date.now() - started,
    };
  } catch (error) {
    throw connectionError(error, client.apiUrl);
  }
}

export async function discoverCloudStackResources(
  target: CloudStackTarget,
  deps: ConnectionDeps,
  filter: { zoneId?: string } = {},
): Promise<DiscoveredResources> {
  const client = cloudStackClientFor(target, deps);
  const zone = filter.zoneId === undefined ? {} : { zoneid: filter.zoneId };
  try {
    const [zones, domains, templates, serviceOfferings, diskOfferings, networks] = await Promise.all([
      client.listZones(filter.zoneId === undefined ? {} : { id: filter.zoneId }),
      client.listDomains({ listall: true }),
      client.listTemplates({ templatefilter: 'executable', ...zone }),
      client.listServiceOfferings({}),
      client.listDiskOfferings({}),
      client.listNetworks({ listall: true, ...zone }),
    ]);
    return toDiscoveredResources(client.apiUrl, {
      zones,
      domains,
      templates,
      serviceOfferings,
      diskOfferings,
      networks,
    });
  } catch (error) {
    throw connectionError(error, client.apiUrl);
  }
}
