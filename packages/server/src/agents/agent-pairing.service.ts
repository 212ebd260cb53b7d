// Agent pairing (DESIGN §1): an admin issues a short-lived one-time token that carries the server certificate
// fingerprint; the agent trades it once for its own id and secret. Only hashes are stored: the token's in
// agent_pairing_tokens, the secret's in agents.certificate_fingerprint (the agent's credential fingerprint).
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import {
  formatPairingToken,
  parsePairingToken,
  versionsCompatible,
  type PairRequest,
  type PairResponse,
} from '@migratekit/agent/protocol';
import { MigrateKitError, VERSION, newId, type Clock } from '@migratekit/core';
import type { AgentRecord, Repositories } from '@migratekit/db';

export const DEFAULT_PAIRING_TOKEN_TTL_MS = 60 * 60 * 1000;

export interface AgentPairingDeps {
  repositories: Pick<Repositories, 'agents' | 'agentPairingTokens'>;
  clock: Clock;
  /** SHA-256 fingerprint of the certificate agents connect to (any notation). */
  serverFingerprint: string;
}

export interface IssuedPairingToken {
  token: string;
  expires_at: Date;
}

function sha256Hex(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

function secretToken(bytes = 24): string {
  return randomBytes(bytes).toString('base64url');
}

export class AgentPairingService {
  constructor(private readonly deps: AgentPairingDeps) {}

  async issueToken(createdBy: string | null, ttlMs = DEFAULT_PAIRING_TOKEN_TTL_MS): Promise<IssuedPairingToken> {
    const secret = secretToken();
    const expiresAt = new Date(this.deps.clock.now().getTime() + ttlMs);
    await this.deps.repositories.agentPairingTokens.insert({
      token_hash: sha256Hex(secret),
      expires_at: expiresAt,
      created_by: createdBy,
    });
    return { token: formatPairingToken({ secret, fingerprint: this.deps.serverFingerprint }), expires_at: expiresAt };
  }

  /** Consumes the token and registers the agent; a used, expired or unknown token is MKE_UNAUTHENTICATED. */
  async pair(request: PairRequest): Promise<PairResponse> {
    const parsed = parsePairingToken(request.token);
    if (!versionsCompatible({ version: request.version, protocol: request.protocol })) {
      throw new MigrateKitError('MKE_CONFLICT', {
        message: `Agent version ${request.version} (protocol ${request.protocol}) does not match server ${VERSION}`,
        details: { agent_version: request.version, server_version: VERSION },
      });
    }
    const agentId = newId('agent');
    const secret = secretToken(32);
    if (!(await this.deps.repositories.agentPairingTokens.consume(sha256Hex(parsed.secret), agentId))) {
      throw new MigrateKitError('MKE_UNAUTHENTICATED', {
        message: 'Pairing token is unknown, expired or already used',
      });
    }
    await this.deps.repositories.agents.insert({
      id: agentId,
      name: request.name,
      status: 'paired',
      version: request.version,
      last_seen: this.deps.clock.now(),
      certificate_fingerprint: sha256Hex(secret),
    });
    return { agent_id: agentId, secret, server_version: VERSION };
  }

  /** The agent whose id and secret these are, or undefined. */
  async authenticate(agentId: string, secret: string): Promise<AgentRecord | undefined> {
    const agent = await this.deps.repositories.agents.get(agentId);
    if (agent === undefined || agent.certificate_fingerprint === null) return undefined;
    const expected = Buffer.from(agent.certificate_fingerprint, 'hex');
    const actual = Buffer.from(sha256Hex(secret), 'hex');
    return expected.length === actual.length && timingSafeEqual(expected, actual) ? agent : undefined;
  }
}
