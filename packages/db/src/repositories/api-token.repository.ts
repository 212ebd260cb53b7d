// API tokens, stored by the SHA-256 of the bearer value; the value itself exists only in the create response.
import type { NewRow, Row } from '../schema';
import { affected, type RepositoryDeps } from './repository-deps';

export type ApiTokenRow = Row<'api_tokens'>;
export type NewApiToken = Omit<NewRow<'api_tokens'>, 'created_at' | 'last_used_at' | 'revoked_at'>;

export interface ApiTokenFilter {
  userId?: string;
  includeRevoked?: boolean;
}

export class ApiTokenRepository {
  constructor(private readonly deps: RepositoryDeps) {}

  async insert(token: NewApiToken): Promise<ApiTokenRow> {
    await this.deps.db
      .insertInto('api_tokens')
      .values({ ...token, created_at: this.deps.clock.now(), last_used_at: null, revoked_at: null })
      .execute();
    const inserted = await this.get(token.id);
    if (inserted === undefined) throw new Error(`api token ${token.id} vanished after insert`);
    return inserted;
  }

  async get(id: string): Promise<ApiTokenRow | undefined> {
    return this.deps.db.selectFrom('api_tokens').selectAll().where('id', '=', id).executeTakeFirst();
  }

  /** A token that is neither revoked nor expired, by the hash of its value. */
  async getUsableByHash(tokenHash: string): Promise<ApiTokenRow | undefined> {
    const now = this.deps.clock.now();
    return this.deps.db
      .selectFrom('api_tokens')
      .selectAll()
      .where('token_hash', '=', tokenHash)
      .where('revoked_at', 'is', null)
      .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', now)]))
      .executeTakeFirst();
  }

  async list(filter: ApiTokenFilter = {}): Promise<ApiTokenRow[]> {
    let query = this.deps.db.selectFrom('api_tokens').selectAll();
    if (filter.userId !== undefined) query = query.where('user_id', '=', filter.userId);
    if (filter.includeRevoked !== true) query = query.where('revoked_at', 'is', null);
    return query.orderBy('created_at', 'desc').orderBy('id').execute();
  }

  async markUsed(id: string): Promise<void> {
    await this.deps.db
      .updateTable('api_tokens')
      .set({ last_used_at: this.deps.clock.now() })
      .where('id', '=', id)
      .execute();
  }

  async revoke(id: string): Promise<boolean> {
    const result = await this.deps.db
      .updateTable('api_tokens')
      .set({ revoked_at: this.deps.clock.now() })
      .where('id', '=', id)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    return affected(result) > 0;
  }
}
