// NBD over the agent port (docs/agent.md#one-port-from-agent-to-server): an upgrade request on the agent listener
// that names a running job's PSK identity and key becomes a raw NBD stream served by the NBD target, inside the
// TLS session the agent already opened. A bad or unknown key gets 401 and never reaches NBD.
import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { NBD_UPGRADE_PROTOCOL, parseNbdUpgradeAuthorization } from '@migratekit/agent/protocol';
import type { Logger } from 'pino';

export interface NbdUpgradeDeps {
  /** The NBD target's live PSK table (identity -> key of each running job). */
  psk: ReadonlyMap<string, Buffer>;
  target: { acceptUpgraded(socket: Socket, identity: string): void };
  logger: Pick<Logger, 'warn' | 'debug'>;
}

export type NbdUpgradeHandler = (request: IncomingMessage, socket: Duplex, head: Buffer) => void;

function refuse(socket: Duplex, status: number, text: string): void {
  socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}

function keyMatches(expected: Buffer | undefined, given: Buffer): boolean {
  return expected !== undefined && expected.length === given.length && timingSafeEqual(expected, given);
}

export function nbdUpgradeHandler(deps: NbdUpgradeDeps): NbdUpgradeHandler {
  return (request, socket, head) => {
    if ((request.headers.upgrade ?? '').toLowerCase() !== NBD_UPGRADE_PROTOCOL)
      return refuse(socket, 400, 'Bad Request');
    const credential = parseNbdUpgradeAuthorization(request.headers.authorization ?? '');
    if (credential === undefined || !keyMatches(deps.psk.get(credential.identity), credential.key)) {
      deps.logger.warn({ remote: request.socket.remoteAddress }, 'nbd upgrade refused: unknown job key');
      return refuse(socket, 401, 'Unauthorized');
    }
    socket.write(`HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: ${NBD_UPGRADE_PROTOCOL}\r\n\r\n`);
    // The client waits for the greeting, so `head` is empty unless it pipelined; keep any bytes for NBD.
    if (head.length > 0) socket.unshift(head);
    deps.logger.debug({ identity: credential.identity }, 'nbd connection over the agent port');
    deps.target.acceptUpgraded(socket as Socket, credential.identity);
  };
}
