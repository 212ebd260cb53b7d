// Network mapping API (docs/network-mapping.md): legacy paths by VM reference (context id, VMware UUID or name)
// and VM-centric paths by context id, per-VM strategy and validation, bulk rules, and the failover network
// config. Routes parse, authorize and call the network mapping services; nothing here touches a repository.
import { MigrateKitError } from '@migratekit/core';
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import type { RoutePlugin } from '../app-context';
import { principalOf } from '../http/auth-hook';
import { NoContent } from '../http/schemas';
import {
  BulkBody,
  BulkPreview,
  BulkResult,
  ConfigQuery,
  ContextWriteBody,
  Kind,
  KindQuery,
  LegacyCreateBody,
  Mapping,
  NetworkConfig,
  NetworkName,
  PairBody,
  Reference,
  Strategy,
  StrategyBody,
  ValidatedNetworkConfig,
  ValidateConfigBody,
  VmNetworkStatus,
} from '../network-mapping/network-mapping.schemas';
import type { AuditContext } from '../services/audit.service';
import { registerNetworkRoutes } from './networks.routes';

const VmParams = Type.Object({ vm_id: Reference }, { additionalProperties: false });
const VmNetworkParams = Type.Object(
  { vm_id: Reference, source_network_name: NetworkName },
  { additionalProperties: false },
);
const ContextParams = Type.Object({ context_id: Reference }, { additionalProperties: false });
const ContextNetworkParams = Type.Object(
  { context_id: Reference, source_network: NetworkName },
  { additionalProperties: false },
);
const ListQuery = Type.Object(
  { context_id: Type.Optional(Reference), kind: Type.Optional(Kind) },
  { additionalProperties: false },
);
const StatusQuery = Type.Object(
  {
    status: Type.Optional(Type.Union([Type.Literal('configured'), Type.Literal('needs_setup'), Type.Literal('error')])),
    search: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
  },
  { additionalProperties: false },
);

function auditContext(request: FastifyRequest): AuditContext {
  return { principal: principalOf(request), requestId: request.id };
}

/** Until the composition root builds them: the area's services, once per app, from the app context. */
export const networkMappingRoutes: RoutePlugin = (app, ctx) => {
  const tags = ['network-mapping'];
  const operator = { minRole: 'operator' as const };
  const { mappings, strategies, networkConfig, bulkRules } = ctx.services.networkMapping;
  registerNetworkRoutes(app, mappings.catalog);

  // --- legacy paths (VM by context id, VMware UUID or name) ---
  app.get<{ Querystring: Static<typeof ListQuery> }>(
    '/api/v1/network-mappings',
    {
      schema: {
        tags,
        operationId: 'listNetworkMappings',
        summary: 'Every network mapping, optionally of one VM or one kind',
        querystring: ListQuery,
        response: { 200: Type.Array(Mapping) },
      },
    },
    async (request) => {
      const { context_id, kind } = request.query;
      return mappings.list({
        ...(context_id === undefined ? {} : { contextId: (await mappings.vm(context_id)).vm_context_id }),
        ...(kind === undefined ? {} : { kind }),
      });
    },
  );

  app.post<{ Body: Static<typeof LegacyCreateBody> }>(
    '/api/v1/network-mappings',
    {
      config: operator,
      schema: {
        tags,
        operationId: 'createNetworkMapping',
        summary: 'Create or replace one mapping (production, or test with is_test_network)',
        body: LegacyCreateBody,
        response: { 201: Mapping },
      },
    },
    async (request, reply) => {
      const { vm_id, context_id, source_network_name, destination_network_id, is_test_network } = request.body;
      const reference = context_id ?? vm_id;
      if (reference === undefined)
        throw new MigrateKitError('MKE_VALIDATION', {
          message: 'context_id or vm_id is required',
          field: 'body.context_id',
        });
      const [created] = await mappings.set(
        reference,
        [{ source_network_name, destination_network_id, kind: is_test_network === true ? 'test' : 'production' }],
        auditContext(request),
      );
      return reply.code(201).send(created);
    },
  );

  app.get<{ Querystring: Static<typeof StatusQuery> }>(
    '/api/v1/network-mappings/status',
    {
      schema: {
        tags,
        operationId: 'listNetworkMappingStatus',
        summary: 'Mapping status of every managed VM (configured, needs_setup, error; X of Y configured)',
        querystring: StatusQuery,
        response: { 200: Type.Array(VmNetworkStatus) },
      },
    },
    async (request) => mappings.statusAll(request.query),
  );

  app.post<{ Body: Static<typeof BulkBody> }>(
    '/api/v1/network-mappings/bulk/preview',
    {
      schema: {
        tags,
        operationId: 'previewNetworkMappingBulkRule',
        summary: 'What a bulk rule would create or change, per VM; writes nothing',
        body: BulkBody,
        response: { 200: BulkPreview },
      },
    },
    async (request) => bulkRules.preview(request.body),
  );

  app.post<{ Body: Static<typeof BulkBody> }>(
    '/api/v1/network-mappings/bulk/apply',
    {
      config: operator,
      schema: {
        tags,
        operationId: 'applyNetworkMappingBulkRule',
        summary: 'Apply a bulk rule in one transaction (all mappings or none)',
        body: BulkBody,
        response: { 200: BulkResult },
      },
    },
    async (request) => bulkRules.apply(request.body, auditContext(request)),
  );

  app.get<{ Params: Static<typeof VmParams> }>(
    '/api/v1/network-mappings/:vm_id',
    {
      schema: {
        tags,
        operationId: 'getVmNetworkMappings',
        summary: 'The mappings of one VM (context id, VMware UUID or name)',
        params: VmParams,
        response: { 200: Type.Array(Mapping) },
      },
    },
    async (request) => mappings.listForVm(request.params.vm_id),
  );

  app.get<{ Params: Static<typeof VmParams> }>(
    '/api/v1/network-mappings/:vm_id/status',
    {
      schema: {
        tags,
        operationId: 'getVmNetworkMappingStatus',
        summary: 'Mapping status of one VM: which source networks lack which kind',
        params: VmParams,
        response: { 200: VmNetworkStatus },
      },
    },
    async (request) => mappings.status(request.params.vm_id),
  );

  app.delete<{ Params: Static<typeof VmNetworkParams>; Querystring: Static<typeof KindQuery> }>(
    '/api/v1/network-mappings/:vm_id/:source_network_name',
    {
      config: operator,
      schema: {
        tags,
        operationId: 'deleteVmNetworkMapping',
        summary: 'Delete exactly one mapping (kind production or test); the other kind stays',
        params: VmNetworkParams,
        querystring: KindQuery,
        response: { 204: NoContent },
      },
    },
    async (request, reply) => {
      const { vm_id, source_network_name } = request.params;
      await mappings.delete(vm_id, source_network_name, request.query.kind, auditContext(request));
      return reply.code(204).send();
    },
  );

  // --- VM-centric paths (context id) ---
  app.get<{ Params: Static<typeof ContextParams> }>(
    '/api/v1/network-mappings/context/:context_id',
    {
      schema: {
        tags,
        operationId: 'getContextNetworkMappings',
        summary: 'The mappings of one VM context',
        params: ContextParams,
        response: { 200: Type.Array(Mapping) },
      },
    },
    async (request) => mappings.listForVm(request.params.context_id),
  );

  app.post<{ Params: Static<typeof ContextParams>; Body: Static<typeof ContextWriteBody> }>(
    '/api/v1/network-mappings/context/:context_id',
    {
      config: operator,
      schema: {
        tags,
        operationId: 'setContextNetworkMappings',
        summary: 'Create or replace mappings of one VM in one transaction (all or none)',
        params: ContextParams,
        body: ContextWriteBody,
        response: { 200: Type.Array(Mapping) },
      },
    },
    async (request) => mappings.set(request.params.context_id, request.body.mappings, auditContext(request)),
  );

  app.put<{ Params: Static<typeof ContextNetworkParams>; Body: Static<typeof PairBody> }>(
    '/api/v1/network-mappings/context/:context_id/:source_network',
    {
      config: operator,
      schema: {
        tags,
        operationId: 'putContextNetworkMapping',
        summary: 'Set the production and/or test destination of one source network',
        params: ContextNetworkParams,
        body: PairBody,
        response: { 200: Type.Array(Mapping) },
      },
    },
    async (request) => {
      const { context_id, source_network } = request.params;
      const { production_network_id, test_network_id } = request.body;
      const writes = [
        ...(production_network_id === undefined
          ? []
          : [
              {
                source_network_name: source_network,
                kind: 'production' as const,
                destination_network_id: production_network_id,
              },
            ]),
        ...(test_network_id === undefined
          ? []
          : [{ source_network_name: source_network, kind: 'test' as const, destination_network_id: test_network_id }]),
      ];
      return mappings.set(context_id, writes, auditContext(request), (i, value) =>
        value === 'source'
          ? 'params.source_network'
          : writes[i]?.kind === 'test'
            ? 'body.test_network_id'
            : 'body.production_network_id',
      );
    },
  );

  app.delete<{ Params: Static<typeof ContextNetworkParams>; Querystring: Static<typeof KindQuery> }>(
    '/api/v1/network-mappings/context/:context_id/:source_network',
    {
      config: operator,
      schema: {
        tags,
        operationId: 'deleteContextNetworkMapping',
        summary: 'Delete exactly one mapping of a VM context (the other kind stays)',
        params: ContextNetworkParams,
        querystring: KindQuery,
        response: { 204: NoContent },
      },
    },
    async (request, reply) => {
      const { context_id, source_network } = request.params;
      await mappings.delete(context_id, source_network, request.query.kind, auditContext(request));
      return reply.code(204).send();
    },
  );

  app.get<{ Params: Static<typeof ContextParams> }>(
    '/api/v1/network-mappings/context/:context_id/strategy',
    {
      schema: {
        tags,
        operationId: 'getContextNetworkStrategy',
        summary: 'How a failover of this VM resolves its networks',
        params: ContextParams,
        response: { 200: Strategy },
      },
    },
    async (request) => strategies.get(request.params.context_id),
  );

  app.post<{ Params: Static<typeof ContextParams>; Body: Static<typeof StrategyBody> }>(
    '/api/v1/network-mappings/context/:context_id/strategy',
    {
      config: operator,
      schema: {
        tags,
        operationId: 'setContextNetworkStrategy',
        summary: 'Change the strategy, strict flag, custom overrides or NIC policies (others are kept)',
        params: ContextParams,
        body: StrategyBody,
        response: { 200: Strategy },
      },
    },
    async (request) => strategies.set(request.params.context_id, request.body, auditContext(request)),
  );

  app.get<{ Params: Static<typeof ContextParams> }>(
    '/api/v1/network-mappings/context/:context_id/validation',
    {
      schema: {
        tags,
        operationId: 'validateContextNetworkMappings',
        summary: 'Revalidate every mapping of the VM against CloudStack now and return the outcome',
        params: ContextParams,
        response: { 200: Type.Array(Mapping) },
      },
    },
    async (request) => mappings.validate(request.params.context_id),
  );

  // --- failover network config ---
  app.get<{ Params: Static<typeof ContextParams>; Querystring: Static<typeof ConfigQuery> }>(
    '/api/v1/failover/:context_id/network-config',
    {
      schema: {
        tags,
        operationId: 'getFailoverNetworkConfig',
        summary: 'The NICs of a live or test failover in source order, with destination, MAC and IP policy',
        params: ContextParams,
        querystring: ConfigQuery,
        response: { 200: NetworkConfig },
      },
    },
    async (request) => networkConfig.resolve(request.params.context_id, request.query),
  );

  app.post<{ Params: Static<typeof ContextParams>; Body: Static<typeof ValidateConfigBody> }>(
    '/api/v1/failover/:context_id/network-config/validate',
    {
      schema: {
        tags,
        operationId: 'validateFailoverNetworkConfig',
        summary: 'Resolve the failover networks and check every destination against CloudStack now',
        params: ContextParams,
        body: ValidateConfigBody,
        response: { 200: ValidatedNetworkConfig },
      },
    },
    async (request) => networkConfig.validate(request.params.context_id, request.body),
  );
};
