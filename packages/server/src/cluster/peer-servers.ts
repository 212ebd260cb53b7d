// The other live servers an agent may fail over to (docs/scale-out.md#agents-and-scope): read from `servers`
// when an agent connects and on the hub's heartbeat, and sent to the agent in its welcome and heartbeats. Only
// servers that advertise an agent listener and its certificate fingerprint qualify; the list is bounded.
import { MAX_PEER_SERVERS, isPeerServer, type PeerServer } from '@migratekit/agent/protocol';
import type { Repositories } from '@migratekit/db';

export async function livePeerServers(
  servers: Pick<Repositories['servers'], 'listLive'>,
  selfId: string,
  limit = MAX_PEER_SERVERS,
): Promise<PeerServer[]> {
  const peers: PeerServer[] = [];
  for (const server of await servers.listLive()) {
    if (peers.length >= limit) break;
    if (server.id === selfId || server.agent_url === null || server.agent_fingerprint === null) continue;
    const peer = { id: server.id, agent_url: server.agent_url, fingerprint: server.agent_fingerprint };
    // Agents refuse a whole list with a malformed entry: one badly configured server must not cost them all.
    if (isPeerServer(peer)) peers.push(peer);
  }
  return peers;
}
