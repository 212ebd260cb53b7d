// The HTTPS listener agents talk to (one outbound TLS port: docs/model.md#components). Ordinary requests (pairing, the
// API) go to the Fastify app's router; an upgrade on AGENT_CONNECT_PATH with a valid agent bearer, a compatible version
// and protocol becomes the agent's control channel in the AgentHub; one on AGENT_NBD_PATH with a job's key becomes an
// NBD connection to the NBD target (docs/agent.md#one-port-from-agent-to-server).
import { createServer, type Server } from 'node:https';
import type { IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { DEFAULT_CIPHERS } from 'node:tls';
import {
  AGENT_CONNECT_PATH,
  AGENT_NBD_PATH,
  AGENT_PROTOCOL_HEADER,
  AGENT_VERSION_HEADER,
  CLOSE_CODES,
  parseAgentBearer,
  versionsCompatible,
} from '@migratekit/agent/protocol';
import { VERSION } from '@migratekit/core';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { WebSocketServer, type WebSocket } from 'ws';
import type { AgentHub } from './agent-hub';
import type { AgentPairingService } from './agent-pairing.service';
import type { NbdUpgradeHandler } from './nbd-upgrade';

export interface AgentGatewayOptions {
  app: FastifyInstance;
  hub: AgentHub;
  pairing: AgentPairingService;
  tls: { cert: string; key: string };
  host: string;
  /** 0 picks a free port. */
  port: number;
  logger: Pick<Logger, 'info' | 'warn'>;
  /** NBD over this port (nbd-upgrade.ts). */
  nbdUpgrade: NbdUpgradeHandler;
}

export interface AgentGateway {
  url: string;
  port: number;
  close(): Promise<void>;
}

/**
 * AES-128-GCM first (the server's order decides): disk data crosses this listener, and AES-128-GCM is cheaper
 * than the AES-256-GCM of Node's default order, as NBD's own STARTTLS already prefers (docs/benchmarks.md).
 */
export const AGENT_CIPHERS = `TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256:${DEFAULT_CIPHERS}`;

function header(request: IncomingMessage, name: string): string {
  const value = request.headers[name];
  return Array.isArray(value) ? (value[0] ?? '') : (value ?? '');
}

function refuse(socket: Duplex, status: number, text: string): void {
  socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}

export async function startAgentGateway(options: AgentGatewayOptions): Promise<AgentGateway> {
  const wss = new WebSocketServer({ noServer: true, maxPayload: 16 * 1024 * 1024 });
  const nbdSockets = new Set<Duplex>();
  const server: Server = createServer(
    { cert: options.tls.cert, key: options.tls.key, ciphers: AGENT_CIPHERS },
    (req, res) => options.app.routing(req, res),
  );

  const upgrade = async (request: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> => {
    const path = (request.url ?? '').split('?')[0];
    if (path === AGENT_NBD_PATH) {
      // The HTTPS server waits for upgraded sockets on close; this list lets close() end them.
      nbdSockets.add(socket);
      socket.once('close', () => nbdSockets.delete(socket));
      return options.nbdUpgrade(request, socket, head);
    }
    if (path !== AGENT_CONNECT_PATH) return refuse(socket, 404, 'Not Found');
    const bearer = parseAgentBearer(header(request, 'authorization'));
    const agent = bearer === undefined ? undefined : await options.pairing.authenticate(bearer.agentId, bearer.secret);
    if (agent === undefined) {
      options.logger.warn({ remote: request.socket.remoteAddress }, 'agent connection refused: bad credential');
      return refuse(socket, 401, 'Unauthorized');
    }
    const version = header(request, AGENT_VERSION_HEADER);
    const protocol = Number(header(request, AGENT_PROTOCOL_HEADER));
    // Read before the upgrade: the welcome is the first message and carries the servers to fail over to.
    const servers = await options.hub.peerServers();
    wss.handleUpgrade(request, socket, head, (ws: WebSocket) => {
      if (!versionsCompatible({ version, protocol })) {
        // Accept, then close with a reason the agent can show: a plain 4xx would look like a network error.
        ws.close(CLOSE_CODES.versionMismatch, `server ${VERSION} does not accept agent ${version || '?'}`);
        options.logger.warn({ agent_id: agent.id, version, protocol }, 'agent refused: version mismatch');
        return;
      }
      options.hub.attach({ id: agent.id, name: agent.name, version }, ws, servers);
    });
  };
  server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    upgrade(request, socket, head).catch((error: unknown) => {
      options.logger.warn({ err: String(error) }, 'agent upgrade failed');
      refuse(socket, 500, 'Internal Server Error');
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const hostForUrl = options.host.includes(':') ? `[${options.host}]` : options.host;
  const url = `https://${hostForUrl === '0.0.0.0' ? '127.0.0.1' : hostForUrl}:${port}`;
  options.logger.info({ url }, 'agent gateway listening');
  return {
    url,
    port,
    close: async () => {
      for (const client of wss.clients) client.terminate();
      for (const socket of nbdSockets) socket.destroy();
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
