// API tokens act with the role of the user who owns them. The token value is returned once, at creation;
// afterwards only its id, name and a short prefix are known. Users manage their own tokens; admins see and
// revoke everyone's.
import { MigrateKitError, newId, type Clock } from '@migratekit/core';
import type { ApiTokenRepository, ApiTokenRow, UserRepository } from '@migratekit/db';
import { API_TOKEN_PREFIX, hashToken, newOpaqueToken, tokenHint } from '../security/opaque-token';
import type { Principal } from '../security/roles';

export interface ApiTokenServiceDeps {
  apiTokens: ApiTokenRepository;
  users: UserRepository;
  clock: Clock;
}

export interface ApiTokenView {
  id: string;
  user_id: string;
  name: string;
  token_prefix: string | null;
  created_at: string;
  expires_at: string | null;
  last_used_at: string | null;
  revoked_at: string | null;
}

export interface CreatedApiToken extends ApiTokenView {
  /** The bearer value, shown only in the create response. */
  token: string;
}

export interface CreateTokenInput {
  name: string;
  expiresInDays?: number;
  /** Admin only: create the token for another user. */
  userId?: string;
}

function toView(row: ApiTokenRow): ApiTokenView {
  return {
    id: row.id,
    user_id: row.user_id,
    name: row.name,
    token_prefix: row.token_prefix,
    created_at: row.created_at.toISOString(),
    expires_at: row.expires_at === null ? null : row.expires_at.toISOString(),
    last_used_at: row.last_used_at === null ? null : row.last_used_at.toISOString(),
    revoked_at: row.revoked_at === null ? null : row.revoked_at.toISOString(),
  };
}

export class ApiTokenService {
  constructor(private readonly deps: ApiTokenServiceDeps) {}

  async create(principal: Principal, input: CreateTokenInput): Promise<CreatedApiToken> {
    const userId = input.userId ?? principal.userId;
    if (userId !== principal.userId && principal.role !== 'admin') {
      throw new MigrateKitError('MKE_FORBIDDEN', { message: 'Only an admin can create tokens for another user' });
    }
    if ((await this.deps.users.get(userId)) === undefined) {
      throw new MigrateKitError('MKE_NOT_FOUND', { message: `User ${userId} not found`, field: 'body.user_id' });
    }
    return this.issue(userId, input.name, input.expiresInDays);
  }

  /** Issues a token without a request principal (start-up wiring such as the dev CLI token). */
  async issue(userId: string, name: string, expiresInDays?: number): Promise<CreatedApiToken> {
    const now = this.deps.clock.now();
    const token = newOpaqueToken(API_TOKEN_PREFIX);
    const row = await this.deps.apiTokens.insert({
      id: newId('tok'),
      user_id: userId,
      name,
      token_hash: hashToken(token),
      token_prefix: tokenHint(token),
      expires_at: expiresInDays === undefined ? null : new Date(now.getTime() + expiresInDays * 86_400_000),
    });
    return { ...toView(row), token };
  }

  async list(principal: Principal, all: boolean): Promise<ApiTokenView[]> {
    if (all && principal.role !== 'admin')
      throw new MigrateKitError('MKE_FORBIDDEN', { message: 'Only an admin can list every token' });
    const rows = await this.deps.apiTokens.list(all ? {} : { userId: principal.userId });
    return rows.map(toView);
  }

  /** One token (never its value): when it was last used, whether it is revoked or expired. */
  async get(principal: Principal, id: string): Promise<ApiTokenView> {
    return toView(await this.requireVisible(principal, id));
  }

  async revoke(principal: Principal, id: string): Promise<ApiTokenView> {
    const row = await this.requireVisible(principal, id);
    await this.deps.apiTokens.revoke(id);
    const revoked = await this.deps.apiTokens.get(id);
    return toView(revoked ?? row);
  }

  private async requireVisible(principal: Principal, id: string): Promise<ApiTokenRow> {
    const row = await this.deps.apiTokens.get(id);
    // Someone else's token reads as not found for a non-admin, so ids of other users' tokens are not confirmed.
    if (row === undefined || (row.user_id !== principal.userId && principal.role !== 'admin')) {
      throw new MigrateKitError('MKE_NOT_FOUND', { message: `API token ${id} not found` });
    }
    return row;
  }

  /** True when the token value is still usable (used by `migratekit dev` to keep its CLI token). */
  async isUsable(token: string): Promise<boolean> {
    return (await this.deps.apiTokens.getUsableByHash(hashToken(token))) !== undefined;
  }
}
