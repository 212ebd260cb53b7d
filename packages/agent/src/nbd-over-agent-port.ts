// NBD through the agent port (docs/agent.md#one-port-from-agent-to-server): a TLS connection to the server's
// agent listener, pinned like the control channel, turned into a raw NBD stream by an HTTP Upgrade that carries
// the job's PSK. The TLS session is the NBD connection's TLS: no second STARTTLS inside it.
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { NbdError } from '@migratekit/nbd';
import { pinnedConnector } from './pinned-tls';
import { AGENT_NBD_PATH, NBD_UPGRADE_PROTOCOL, nbdUpgradeAuthorization } from './protocol';

export interface AgentPortNbdOptions {
  /** https://host:port of the server's agent listener. */
  serverUrl: string;
  /** SHA-256 fingerprint of the server certificate, pinned at pairing. */
  fingerprint: string;
  pskIdentity: string;
  pskKeyHex: string;
  /** TCP + TLS + the upgrade answer; default 30 s. */
  timeoutMs?: number;
}

/** Largest upgrade answer read: a status line and a few headers. */
const MAX_ANSWER_BYTES = 8 * 1024;

function openPinned(target: URL, fingerprint: string, timeoutMs: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    pinnedConnector(fingerprint, timeoutMs)(
      { host: target.hostname.replace(/^\[(.*)\]$/, '$1'), port: target.port === '' ? 443 : Number(target.port) },
      (error: Error | null, socket: Duplex) => {
        if (error !== null) {
          socket.destroy();
          reject(new NbdError('connection', `agent port ${target.host}: ${error.message}`, { cause: error }));
        } else resolve(socket as Socket);
      },
    );
  });
}

/** Reads the answer head; bytes after it (the NBD greeting may share the packet) go back into the socket. */
function readUpgradeAnswer(socket: Socket, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    let received = Buffer.alloc(0);
    const finish = (error: Error | undefined, head?: string): void => {
      clearTimeout(timer);
      socket.off('data', onData);
      socket.off('error', onError);
      socket.off('close', onClose);
      if (error === undefined) resolve(head as string);
      else reject(error);
    };
    const onData = (chunk: Buffer): void => {
      received = Buffer.concat([received, chunk]);
      const end = received.indexOf('\r\n\r\n');
      if (end < 0) {
        if (received.length > MAX_ANSWER_BYTES)
          finish(new NbdError('protocol', 'agent port: upgrade answer too large'));
        return;
      }
      socket.pause();
      const rest = received.subarray(end + 4);
      if (rest.length > 0) socket.unshift(rest);
      finish(undefined, received.subarray(0, end).toString('latin1'));
    };
    const onError = (error: Error): void =>
      finish(new NbdError('connection', `agent port: ${error.message}`, { cause: error }));
    const onClose = (): void => finish(new NbdError('connection', 'agent port closed before the upgrade answer'));
    const timer = setTimeout(
      () => finish(new NbdError('timeout', `agent port: no upgrade answer in ${timeoutMs} ms`)),
      timeoutMs,
    );
    socket.on('data', onData);
    socket.once('error', onError);
    socket.once('close', onClose);
  });
}

/** A `securedTransport` for NbdClient: each call opens one NBD connection through the agent port. */
export function agentPortNbdTransport(options: AgentPortNbdOptions): () => Promise<Socket> {
  const target = new URL(options.serverUrl);
  const timeoutMs = options.timeoutMs ?? 30_000;
  return async () => {
    const socket = await openPinned(target, options.fingerprint, timeoutMs);
    try {
      socket.write(
        [
          `GET ${AGENT_NBD_PATH} HTTP/1.1`,
          `Host: ${target.host}`,
          'Connection: Upgrade',
          `Upgrade: ${NBD_UPGRADE_PROTOCOL}`,
          `Authorization: ${nbdUpgradeAuthorization(options.pskIdentity, options.pskKeyHex)}`,
          '',
          '',
        ].join('\r\n'),
      );
      const head = await readUpgradeAnswer(socket, timeoutMs);
      const status = head.slice(0, head.indexOf('\r\n') < 0 ? head.length : head.indexOf('\r\n'));
      if (!/^HTTP\/1\.1 101 /.test(status)) throw new NbdError('connection', `agent port refused NBD: ${status}`);
      return socket;
    } catch (error) {
      socket.destroy();
      throw error;
    }
  };
}
