// CloudStack networks and service offerings for mapping dropdowns and scripts (docs/network-mapping.md): what the
// active configuration's CloudStack has right now, and network name -> id resolution.
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { NetworkCatalog } from '../network-mapping/network-catalog';
import { AvailableNetwork, Kind, NetworkName, ServiceOffering } from '../network-mapping/network-mapping.schemas';

const AvailableQuery = Type.Object(
  { suitable_for: Type.Optional(Kind), include_unusable: Type.Optional(Type.Boolean({ default: false })) },
  { additionalProperties: false },
);
const ResolveBody = Type.Object(
  { name: NetworkName, zone_id: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })) },
  { additionalProperties: false },
);

/** Registered by networkMappingRoutes with the catalog of its services (built once). */
export function registerNetworkRoutes(app: FastifyInstance, catalog: NetworkCatalog): void {
  const tags = ['network-mapping'];

  app.get<{ Querystring: Static<typeof AvailableQuery> }>(
    '/api/v1/networks/available',
    {
      schema: {
        tags,
        operationId: 'listAvailableNetworks',
        summary: 'CloudStack networks with type, zone, state and what each is suitable for',
        querystring: AvailableQuery,
        response: { 200: Type.Array(AvailableNetwork) },
      },
    },
    async (request) => {
      const { suitable_for, include_unusable } = request.query;
      const { networks } = await catalog.snapshot();
      return networks.filter(
        (n) =>
          (include_unusable === true || n.suitable_for.length > 0) &&
          (suitable_for === undefined || n.suitable_for.includes(suitable_for)),
      );
    },
  );

  app.post<{ Body: Static<typeof ResolveBody> }>(
    '/api/v1/networks/resolve',
    {
      schema: {
        tags,
        operationId: 'resolveNetworkName',
        summary: 'A CloudStack network by exact name (ambiguous names are a 400 listing the candidates)',
        body: ResolveBody,
        response: { 200: AvailableNetwork },
      },
    },
    async (request) =>
      catalog.resolveName(
        request.body.name,
        request.body.zone_id === undefined ? {} : { zoneId: request.body.zone_id },
      ),
  );

  app.get(
    '/api/v1/service-offerings/available',
    {
      schema: {
        tags,
        operationId: 'listAvailableServiceOfferings',
        summary: 'CloudStack service offerings of the active configuration',
        response: { 200: Type.Array(ServiceOffering) },
      },
    },
    async () => catalog.serviceOfferings(),
  );
}
