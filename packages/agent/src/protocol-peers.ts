// The peer list of the agent protocol (docs/scale-out.md#agents-and-scope): the other live servers a server names
// in its welcome and heartbeats, which the agent may fail over to and keeps in its credential file.
import { MigrateKitError } from '@migratekit/core';

/**
 * Another live server's agent listener, which the agent may fail over to (docs/scale-out.md#agents-and-scope).
 * Each server has its own certificate: the agent pins each one by its own fingerprint.
 */
export interface PeerServer {
  id: string;
  /** https://host:port of that server's agent listener. */
  agent_url: string;
  /** SHA-256 of its certificate, 64 lower-case hex. */
  fingerprint: string;
}

/** At most this many peers travel in one message. */
export const MAX_PEER_SERVERS = 32;

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** One well-formed peer entry (a frame's list, or the credential file's). */
export function isPeerServer(value: unknown): value is PeerServer {
  return (
    isObject(value) &&
    typeof value.id === 'string' &&
    value.id.length > 0 &&
    typeof value.agent_url === 'string' &&
    /^https:\/\/[^\s/]+/.test(value.agent_url) &&
    typeof value.fingerprint === 'string' &&
    /^[0-9a-f]{64}$/.test(value.fingerprint)
  );
}

/** The optional `servers` field: absent is fine, present must be a bounded list of well-formed peers. */
export function parsePeerServers(value: unknown, frame: string): { servers?: PeerServer[] } {
  if (value === undefined) return {};
  if (!Array.isArray(value) || value.length > MAX_PEER_SERVERS || !value.every(isPeerServer))
    throw new MigrateKitError('MKE_VALIDATION', { message: `bad servers list in ${frame} frame` });
  return { servers: value.map((p) => ({ id: p.id, agent_url: p.agent_url, fingerprint: p.fingerprint })) };
}
