// Agents: one-time pairing tokens (admin), the pairing exchange itself (public: the token is the credential),
// and the list of agents with their status and last contact.
import { PROTOCOL_VERSION } from '@migratekit/agent/protocol';
import { Type, type Static } from '@sinclair/typebox';
import type { RoutePlugin } from '../app-context';
import { principalOf } from '../http/auth-hook';
import { NullableTimestamp, Timestamp, iso } from '../http/schemas';

const TokenBody = Type.Object(
  { ttl_seconds: Type.Optional(Type.Integer({ minimum: 60, maximum: 7 * 24 * 3600, default: 3600 })) },
  { additionalProperties: false },
);
const TokenView = Type.Object({
  token: Type.String({ description: 'mkp1.<secret>.<server certificate SHA-256>; shown once, usable once' }),
  expires_at: Timestamp,
  agent_port: Type.Union([Type.Integer(), Type.Null()], {
    description:
      'The port agents pair and connect on (MIGRATEKIT_AGENT_PORT): the agent dials https://<this host>:<agent_port>',
  }),
});
const PairBody = Type.Object(
  {
    token: Type.String({ minLength: 10, maxLength: 300 }),
    name: Type.String({ minLength: 1, maxLength: 100 }),
    version: Type.String({ minLength: 1, maxLength: 50 }),
    protocol: Type.Integer({ minimum: 1, default: PROTOCOL_VERSION }),
  },
  { additionalProperties: false },
);
const PairView = Type.Object({ agent_id: Type.String(), secret: Type.String(), server_version: Type.String() });
const AgentView = Type.Object({
  id: Type.String(),
  name: Type.String(),
  status: Type.String({ description: 'online, offline or paired (never connected yet)' }),
  connected: Type.Boolean(),
  version: Type.Union([Type.String(), Type.Null()]),
  last_seen: NullableTimestamp,
  scope: Type.Array(Type.String()),
  created_at: Timestamp,
});

export const agentRoutes: RoutePlugin = (app, { services, deps }) => {
  // 0 = a port chosen at start-up, unknown here.
  const agentPort = deps.config.agentListener?.port || null;
  const tags = ['agents'];

  app.post<{ Body: Static<typeof TokenBody> }>(
    '/api/v1/agents/pairing-tokens',
    {
      config: { minRole: 'admin' },
      schema: { tags, summary: 'Create a one-time agent pairing token', body: TokenBody, response: { 201: TokenView } },
    },
    async (request, reply) => {
      const issued = await services.agentPairing.issueToken(
        principalOf(request).username,
        (request.body.ttl_seconds ?? 3600) * 1000,
      );
      return reply.code(201).send({ token: issued.token, expires_at: iso(issued.expires_at), agent_port: agentPort });
    },
  );

  app.post<{ Body: Static<typeof PairBody> }>(
    '/api/v1/agents/pair',
    {
      config: { auth: 'public' },
      schema: {
        tags,
        summary: 'Trade a pairing token for the agent credential',
        body: PairBody,
        response: { 200: PairView },
      },
    },
    async (request) => services.agentPairing.pair(request.body),
  );

  app.get(
    '/api/v1/agents',
    { schema: { tags, summary: 'List agents', response: { 200: Type.Object({ items: Type.Array(AgentView) }) } } },
    async () => {
      const rows = await services.agents.list();
      return {
        items: rows.map((a) => ({
          id: a.id,
          name: a.name,
          status: a.status,
          connected: a.connected,
          version: a.version,
          last_seen: iso(a.last_seen),
          scope: a.scope,
          created_at: iso(a.created_at),
        })),
      };
    },
  );
};
