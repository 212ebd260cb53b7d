// CloudStack "test connection" and "discover resources", under /api/v1/cloudstack (and the deprecated ossea alias). The body names
// the CloudStack to ask: typed values, a stored config_id, or nothing for the active configuration.
import { systemClock } from '@migratekit/core';
import { Type, type Static } from '@sinclair/typebox';
import type { RoutePlugin } from '../app-context';
import { cloudStackPaths } from '../http/legacy-paths';
import { discoverCloudStackResources, resolveCloudStackTarget, testCloudStackConnection } from '../cloudstack';
import { Nullable } from '../http/schemas';
import { connectionTestResponse, runConnectionTest } from './connection-test';

const Id = Type.String({ minLength: 1, maxLength: 255 });
const TargetFields = {
  config_id: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'A stored configuration' })),
  api_url: Type.Optional(
    Type.String({ minLength: 1, maxLength: 2048, description: 'host:port of the management server, or a URL' }),
  ),
  api_key: Type.Optional(Type.String({ minLength: 1, maxLength: 1024 })),
  secret_key: Type.Optional(Type.String({ minLength: 1, maxLength: 1024 })),
};
const TestBody = Type.Object(TargetFields, { additionalProperties: false });
const DiscoverBody = Type.Object(
  { ...TargetFields, zone_id: Type.Optional({ ...Id, description: 'Only templates and networks of this zone' }) },
  { additionalProperties: false },
);

const NullableString = Nullable(Type.String());
const NullableNumber = Nullable(Type.Number());

const TestResult = Type.Object({
  ok: Type.Literal(true),
  api_url: Type.String(),
  cloudstack_version: NullableString,
  zones: Type.Integer({ description: 'Zones this account can see' }),
  elapsed_ms: Type.Integer(),
});

const Resources = Type.Object({
  api_url: Type.String(),
  zones: Type.Array(
    Type.Object({
      id: Type.String(),
      name: Type.String(),
      network_type: NullableString,
      allocation_state: NullableString,
    }),
  ),
  domains: Type.Array(Type.Object({ id: Type.String(), name: Type.String(), path: NullableString })),
  templates: Type.Array(
    Type.Object({
      id: Type.String(),
      name: Type.String(),
      display_text: NullableString,
      os_type: NullableString,
      zone_id: NullableString,
      hypervisor: NullableString,
      size_bytes: NullableNumber,
      is_ready: Nullable(Type.Boolean()),
    }),
  ),
  service_offerings: Type.Array(
    Type.Object({
      id: Type.String(),
      name: Type.String(),
      display_text: NullableString,
      cpu_number: NullableNumber,
      cpu_speed_mhz: NullableNumber,
      memory_mb: NullableNumber,
      is_customized: Type.Boolean(),
    }),
  ),
  disk_offerings: Type.Array(
    Type.Object({
      id: Type.String(),
      name: Type.String(),
      display_text: NullableString,
      disk_size_gb: NullableNumber,
      is_customized: Type.Boolean(),
    }),
  ),
  networks: Type.Array(
    Type.Object({
      id: Type.String(),
      name: Type.String(),
      type: Type.String({ description: 'Isolated, Shared or L2' }),
      guest_ip_type: Type.String(),
      zone_id: NullableString,
      zone_name: NullableString,
      cidr: NullableString,
      vlan: NullableString,
      state: NullableString,
      traffic_type: NullableString,
      can_use_for_deploy: Nullable(Type.Boolean()),
      is_test_candidate: Type.Boolean({ description: 'L2 or isolated: suitable as a test-failover network' }),
    }),
  ),
});

export const cloudStackDiscoveryRoutes: RoutePlugin = cloudStackPaths((app, ctx, base) => {
  const tags = ['cloudstack-config'];
  // Signatures expire against CloudStack's own wall clock, so the client signs with real time, not an injected one.
  const connection = { clock: systemClock };

  app.post<{ Body: Static<typeof TestBody> }>(
    `${base}/config/test`,
    {
      schema: {
        tags,
        summary: 'Test a CloudStack connection (typed values, a stored config_id, or the active configuration)',
        description:
          'A CloudStack that answers badly gives 200 with ok false and error.code: MKE_CLOUDSTACK_AUTH (wrong API ' +
          'or secret key), MKE_UPSTREAM_UNREACHABLE (host or port), MKE_UPSTREAM_BAD_URL (something answered, ' +
          'but not the CloudStack API), MKE_UPSTREAM_TLS. Missing or invalid input stays 4xx.',
        body: TestBody,
        response: { 200: connectionTestResponse(TestResult) },
      },
    },
    async (request) => {
      const target = await resolveCloudStackTarget(ctx, request.body);
      return runConnectionTest(() => testCloudStackConnection(target, connection));
    },
  );

  app.post<{ Body: Static<typeof DiscoverBody> }>(
    `${base}/discover-resources`,
    {
      schema: {
        tags,
        summary: 'Zones, domains, templates, offerings and networks by name, with their ids',
        body: DiscoverBody,
        response: { 200: Resources },
      },
    },
    async (request) => {
      const { zone_id, ...target } = request.body;
      return discoverCloudStackResources(
        await resolveCloudStackTarget(ctx, target),
        connection,
        zone_id === undefined ? {} : { zoneId: zone_id },
      );
    },
  );
});
