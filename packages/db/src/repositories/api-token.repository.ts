import type { Kysely } from 'kysely';
import type { DatabaseSchema, NewRow, Row } from '../schema';

export type ApiTokenRow = Row<'api_tokens'>;

export interface ApiTokenFilter {
  userId?: string;
  includeRevoked?: boolean;
}

export class ApiTokenRepository {
  constructor(private readonly db: Kysely<DatabaseSchema>) {}

  async insert(row: NewRow<'api_tokens'>): Promise<ApiTokenRow> {
    await this.db.insertInto('api_tokens').values(row).execute();
    const inserted = await this.get(row.id);
    if (inserted === undefined) throw new Error(`api token ${row.id} vanished after insert`);
    return inserted;
  }

  async get(id: string): Promise<ApiTokenRow | undefined> {
    return this.db.selectFrom('api_tokens').selectAll().where('id', '=', id).executeTakeFirst();
  }

  /** A token that is neither revoked nor expired, by the hash of its value. */
  async getUsableByHash(tokenHash: string, now: Date): Promise<ApiTokenRow | undefined> {
    return this.db
      .selectFrom('api_tokens')
      .selectAll()
      .where('token_hash', '=', tokenHash)
      .where('revoked_at', 'is', null)
      .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', now)]))
      .executeTakeFirst();
  }

  async list(filter: ApiTokenFilter = {}): Promise<ApiTokenRow[]> {
    let query = this.db.selectFrom('api_tokens').selectAll();
    if (filter.userId !== undefined) query = query.where('user_id', '=', filter.userId);
    if (filter.includeRevoked !== true) query = query.where('revoked_at', 'is', null);
    return query.orderBy('created_at', 'desc').orderBy('id').execute();
  }

  async markUsed(id: string, now: Date): Promise<void> {
    await this.db.updateTable('api_tokens').set({ last_used_at: now }).where('id', '=', id).execute();
  }

  async revoke(id: string, now: Date): Promise<boolean> {
    const result = await this.db
      .updateTable('api_tokens')
      .set({ revoked_at: now })
      .where('id', '=', id)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }
}
