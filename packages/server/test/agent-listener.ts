// A server's agent listener (pairing routes, WebSocket gateway) around a given hub and certificate,
// as server-runtime.ts builds it, on 127.0.0.1 and a free port. Shared by the agent link and failover tests.
import type { Repositories } from '@migratekit/db';
import { systemClock } from '@migratekit/core';
import Fastify from 'fastify';
import type { AppContext } from '../src/app-context';
import { installErrorHandlers } from '../src/http/error-handler';
import { createLogger } from '../src/logging/logger';
import type { ServerCertificate } from '../src/nbd-target/server-certificate';
import { agentRoutes } from '../src/routes/agent.routes';
import { startAgentGateway } from '../src/agents/agent-gateway';
import { AgentDirectoryService } from '../src/agents/agent-directory.service';
import type { AgentHub } from '../src/agents/agent-hub';
import { AgentPairingService } from '../src/agents/agent-pairing.service';
import type { NbdUpgradeHandler } from '../src/agents/nbd-upgrade';

export async function startAgentListener(input: {
  repositories: Repositories;
  hub: AgentHub;
  certificate: ServerCertificate;
  nbdUpgrade?: NbdUpgradeHandler | undefined;
}) {
  const { repositories, hub, certificate } = input;
  const silent = createLogger({ level: 'silent' });
  const pairing = new AgentPairingService({
    repositories,
    clock: systemClock,
    serverFingerprint: certificate.fingerprint256,
  });
  const app = Fastify();
  installErrorHandlers(app);
  await app.register(async (scope) =>
    agentRoutes(scope, {
      services: { agentPairing: pairing, agents: new AgentDirectoryService({ repositories, hub }) },
      // Port 0: the listener's port is chosen at start-up (the pairing answer then names none).
      deps: { config: { agentListener: { host: '127.0.0.1', port: 0 } } },
    } as unknown as AppContext),
  );
  await app.ready();
  const gateway = await startAgentGateway({
    app,
    hub,
    pairing,
    tls: certificate,
    host: '127.0.0.1',
    port: 0,
    logger: silent,
    nbdUpgrade: input.nbdUpgrade ?? ((_request, socket) => socket.destroy()),
  });
  return { pairing, app, gateway };
}
