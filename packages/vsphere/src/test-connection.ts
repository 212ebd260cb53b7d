// "Test connection" for stored VMware credentials: log in, list datacenters, check the configured one.
// Failures are distinct typed errors: InvalidLoginError (MKE_VCENTER_AUTH), MKE_UPSTREAM_UNREACHABLE,
// MKE_UPSTREAM_TLS (details.reason thumbprint_mismatch or untrusted_certificate, with the presented
// thumbprints), and MKE_NOT_FOUND with field "datacenter".
import { MigrateKitError } from '@migratekit/core';
import { retrieveFromContainer } from './property-collector';
import { textOf } from '@migratekit/node-common';
import { VsphereClient, type VsphereConnectOptions } from './vsphere-client';

export interface TestConnectionOptions extends Omit<VsphereConnectOptions, 'clock'> {
  datacenter?: string | undefined;
}

export interface TestConnectionResult {
  ok: true;
  product: string;
  version: string;
  build: string;
  apiVersion: string;
  apiType: string;
  instanceUuid: string | undefined;
  datacenters: string[];
  /** The configured datacenter, confirmed to exist. */
  datacenter: string | undefined;
}

export async function testConnection(options: TestConnectionOptions): Promise<TestConnectionResult> {
  const client = await VsphereClient.connect(options);
  try {
    const objects = await retrieveFromContainer(client.session, client.session.serviceContent.rootFolder, [
      { type: 'Datacenter', paths: ['name'] },
    ]);
    const datacenters = objects
      .filter((o) => o.obj.type === 'Datacenter')
      .map((o) => textOf(o.props.get('name')) ?? o.obj.value)
      .sort();
    const wanted = options.datacenter?.trim() || undefined;
    if (wanted !== undefined && !datacenters.includes(wanted)) {
      throw new MigrateKitError('MKE_NOT_FOUND', {
        message: `Datacenter ${wanted} not found on ${options.host}`,
        field: 'datacenter',
        details: { available: datacenters },
      });
    }
    const about = client.about;
    return {
      ok: true,
      product: about.fullName || about.name,
      version: about.version,
      build: about.build,
      apiVersion: about.apiVersion,
      apiType: about.apiType,
      instanceUuid: about.instanceUuid,
      datacenters,
      datacenter: wanted,
    };
  } finally {
    await client.close();
  }
}
