// POST /api/v1/discover: the agent lists the vCenter's VMs (docs/model.md#discovery-and-add-to-management, concerns per
// VM), each marked with the context that already manages it. A stored credential id is the normal form; plain
// credentials are accepted for compatibility and never stored.
import { Type, type Static } from '@sinclair/typebox';
import { testConnection } from '@migratekit/vsphere';
import type { RoutePlugin } from '../app-context';
import { principalOf } from '../http/auth-hook';
import { optionalJsonBody } from '../http/optional-body';
import { IdParams } from '../http/schemas';
import { DiscoverResponse } from '../replication/replication.schemas';
import { inlineVcenterLogin } from '../services/vmware-credential.service';
import { connectionTestResponse, runConnectionTest } from './connection-test';

const TestBody = Type.Object(
  {
    thumbprint: Type.Optional(
      Type.String({ minLength: 1, maxLength: 200, description: 'Pinned SHA-1 or SHA-256 thumbprint of the vCenter' }),
    ),
  },
  { additionalProperties: false },
);

const TestSuccess = Type.Object({
  ok: Type.Literal(true),
  product: Type.String(),
  version: Type.String(),
  build: Type.String(),
  apiVersion: Type.String(),
  apiType: Type.String(),
  instanceUuid: Type.Optional(Type.String()),
  datacenters: Type.Array(Type.String()),
  datacenter: Type.Optional(Type.String({ description: 'The configured datacenter, confirmed to exist' })),
});

const DiscoverBody = Type.Object(
  {
    credential_id: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    vcenter: Type.Optional(Type.String({ minLength: 1, maxLength: 255 })),
    username: Type.Optional(Type.String({ minLength: 1, maxLength: 255 })),
    password: Type.Optional(Type.String({ minLength: 1, maxLength: 1024 })),
    thumbprint: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    datacenter: Type.Optional(Type.String({ minLength: 1, maxLength: 255 })),
    filter: Type.Optional(Type.String({ minLength: 1, maxLength: 255 })),
  },
  { additionalProperties: false },
);

export const discoveryRoutes: RoutePlugin = (app, { services }) => {
  // "Test connection" of a stored credential: log in, list datacenters, confirm the configured one.
  // A failed test is a result, not an HTTP error: 200 { ok: false, error: { code, message, details } }. A refused
  // certificate gives MKE_UPSTREAM_TLS with the presented thumbprints, so the operator can pin one. An unknown
  // credential id is still 404.
  app.post<{ Params: Static<typeof IdParams>; Body: Static<typeof TestBody> }>(
    '/api/v1/vmware-credentials/:id/test',
    {
      ...optionalJsonBody,
      config: { minRole: 'operator' },
      schema: {
        tags: ['vmware-credentials'],
        summary: 'Test a vCenter credential',
        description:
          'A vCenter that answers badly gives 200 with ok false and error.code: MKE_VCENTER_AUTH (wrong ' +
          'password), MKE_UPSTREAM_UNREACHABLE, MKE_UPSTREAM_TLS (details.sha1 and details.sha256 of the ' +
          'presented certificate), MKE_NOT_FOUND (field datacenter). An unknown credential id is 404.',
        params: IdParams,
        body: TestBody,
        response: { 200: connectionTestResponse(TestSuccess) },
      },
    },
    async (request) => {
      const credential = await services.vmwareCredentials.resolveForUse(request.params.id);
      // MKE_NOT_FOUND here can only be the configured datacenter: the credential itself was resolved above.
      const result = await runConnectionTest(
        () =>
          testConnection({
            host: credential.vcenterHost,
            username: credential.username,
            password: credential.password,
            datacenter: credential.datacenter ?? undefined,
            thumbprint: request.body.thumbprint,
            connectTimeoutMs: 10_000,
          }),
        ['MKE_NOT_FOUND'],
      );
      // Kept for the first-run checklist: the outcome of this test, with the certificate the operator pinned.
      await services.setup.recordVcenterTest(credential.id, result, {
        principal: principalOf(request),
        requestId: request.id,
      });
      return result;
    },
  );

  app.post<{ Body: Static<typeof DiscoverBody> }>(
    '/api/v1/discover',
    {
      schema: {
        tags: ['discovery'],
        summary: 'Discover the VMs of a vCenter through the agent',
        description:
          'The vCenter login is credential_id, or vcenter, username and password together (never stored), or ' +
          'neither (the default credential). A partial inline login is 400 naming the missing field.',
        body: DiscoverBody,
        response: { 200: DiscoverResponse },
      },
    },
    async (request) => {
      const body = request.body;
      const inline = inlineVcenterLogin(body);
      const result = await services.discovery.discover({
        credentialId: body.credential_id,
        inline: inline === undefined ? undefined : { ...inline, thumbprint: body.thumbprint ?? null },
        datacenter: body.datacenter,
        filter: body.filter,
      });
      await services.setup.recordDiscovery(result, { principal: principalOf(request), requestId: request.id });
      return result;
    },
  );
};
