// One-time agent pairing tokens: only the SHA-256 of the token is stored; consuming one is a conditional
// UPDATE, so of two racing pair requests with the same token at most one wins.
import type { NewRow, Row } from '../schema';
import { affected, type RepositoryDeps } from './repository-deps';

export type AgentPairingTokenRow = Row<'agent_pairing_tokens'>;
export type NewAgentPairingToken = Omit<NewRow<'agent_pairing_tokens'>, 'created_at' | 'used_at' | 'agent_id'>;

export class AgentPairingTokenRepository {
  constructor(private readonly deps: RepositoryDeps) {}

  async insert(token: NewAgentPairingToken): Promise<AgentPairingTokenRow> {
    await this.deps.db
      .insertInto('agent_pairing_tokens')
      .values({ ...token, used_at: null, agent_id: null, created_at: this.deps.clock.now() })
      .execute();
    const row = await this.get(token.token_hash);
    if (row === undefined) throw new Error('pairing token vanished after insert');
    return row;
  }

  async get(tokenHash: string): Promise<AgentPairingTokenRow | undefined> {
    return this.deps.db
      .selectFrom('agent_pairing_tokens')
      .selectAll()
      .where('token_hash', '=', tokenHash)
      .executeTakeFirst();
  }

  /** Marks an unused, unexpired token used by `agentId`; false when it was used, expired or unknown. */
  async consume(tokenHash: string, agentId: string): Promise<boolean> {
    const now = this.deps.clock.now();
    const result = await this.deps.db
      .updateTable('agent_pairing_tokens')
      .set({ used_at: now, agent_id: agentId })
      .where('token_hash', '=', tokenHash)
      .where('used_at', 'is', null)
      .where('expires_at', '>', now)
      .executeTakeFirst();
    return affected(result) === 1;
  }
}
