// The servers an agent may connect to (docs/scale-out.md#agents-and-scope): the one it paired with first, then
// the other live servers it learned from the servers it connected to. The link walks them round-robin; each is
// pinned by its own certificate fingerprint.
import { MAX_PEER_SERVERS, normalizeFingerprint, type AgentCredential, type PeerServer } from './protocol';

export interface ServerEndpoint {
  /** https://host:port of the server's agent listener. */
  url: string;
  /** SHA-256 of that server's certificate: the pin for the WebSocket and for NBD over the agent port. */
  fingerprint: string;
  /** The server's id (MIGRATEKIT_SERVER_ID) when learned from a peer list; the paired server has none. */
  id?: string;
}

function keyOf(endpoint: { url: string; fingerprint: string }): string {
  return `${endpoint.url} ${normalizeFingerprint(endpoint.fingerprint)}`;
}

function fromPeer(peer: PeerServer): ServerEndpoint {
  return { url: peer.agent_url, fingerprint: peer.fingerprint, id: peer.id };
}

export class EndpointRing {
  private readonly paired: ServerEndpoint;
  private peers: ServerEndpoint[] = [];
  private index = 0;

  constructor(credential: AgentCredential) {
    this.paired = { url: credential.server_url, fingerprint: credential.server_fingerprint };
    this.peers = this.withoutPaired((credential.peers ?? []).map(fromPeer));
  }

  get size(): number {
    return 1 + this.peers.length;
  }

  get current(): ServerEndpoint {
    return this.peers[this.index - 1] ?? this.paired;
  }

  /** The learned peers as the credential file keeps them. */
  get learned(): PeerServer[] {
    return this.peers.map((p) => ({ id: p.id ?? '', agent_url: p.url, fingerprint: p.fingerprint }));
  }

  /** Moves on to the next endpoint, back to the paired one after the last. */
  advance(): ServerEndpoint {
    this.index = (this.index + 1) % this.size;
    return this.current;
  }

  /**
   * Takes the list the connected server sent (the other live servers). Known peers missing from it are kept (a
   * server restarting now is still worth a try later), an entry with a known id replaces the old one (its address
   * or certificate changed), new ones are appended; past MAX_PEER_SERVERS the missing ones go first. The link
   * stays on its current endpoint. Returns whether the learned list changed.
   */
  learn(servers: PeerServer[]): boolean {
    const current = this.current;
    const listed = new Map(servers.map((p) => [p.id, fromPeer(p)]));
    const updated = this.peers.map((p) => (p.id === undefined ? p : (listed.get(p.id) ?? p)));
    let next = this.withoutPaired(dedupe([...updated, ...listed.values()]));
    if (next.length > MAX_PEER_SERVERS) {
      const live = (p: ServerEndpoint): boolean => (p.id !== undefined && listed.has(p.id)) || p === current;
      next = [...next.filter(live), ...next.filter((p) => !live(p))].slice(0, MAX_PEER_SERVERS);
    }
    const changed = JSON.stringify(next) !== JSON.stringify(this.peers);
    this.peers = next;
    const at = this.peers.findIndex((p) => keyOf(p) === keyOf(current));
    this.index = at === -1 ? 0 : at + 1;
    return changed;
  }

  private withoutPaired(endpoints: ServerEndpoint[]): ServerEndpoint[] {
    const paired = keyOf(this.paired);
    return endpoints.filter((e) => keyOf(e) !== paired);
  }
}

function dedupe(endpoints: ServerEndpoint[]): ServerEndpoint[] {
  const seen = new Set<string>();
  return endpoints.filter((e) => {
    const key = keyOf(e);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
