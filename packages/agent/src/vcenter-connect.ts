// Opens a vSphere session for one request. The thumbprint comes with the request, else from the agent's own
// pins (host -> thumbprint), else the system CAs verify the vCenter certificate.
import type { Clock } from '@migratekit/core';
import { VsphereClient } from '@migratekit/vsphere';
import type { VcenterParams } from './protocol';

export type VcenterConnector = (params: VcenterParams) => Promise<VsphereClient>;

export function vcenterConnector(options: {
  thumbprints?: Readonly<Record<string, string>>;
  ca?: string | undefined;
  clock?: Clock;
}): VcenterConnector {
  return (params) => {
    const pinned =
      params.thumbprint ?? options.thumbprints?.[params.host] ?? options.thumbprints?.[params.host.split(':')[0] ?? ''];
    return VsphereClient.connect({
      host: params.host,
      username: params.username,
      password: params.password,
      thumbprint: pinned ?? undefined,
      ca: options.ca,
      ...(options.clock === undefined ? {} : { clock: options.clock }),
    });
  };
}

/** The thumbprint the agent would pin for this host (VDDK needs it too). */
export function pinnedThumbprint(
  params: VcenterParams,
  thumbprints: Readonly<Record<string, string>> | undefined,
): string | undefined {
  return params.thumbprint ?? thumbprints?.[params.host] ?? thumbprints?.[params.host.split(':')[0] ?? ''] ?? undefined;
}
