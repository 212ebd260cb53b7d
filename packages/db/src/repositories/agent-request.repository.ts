// agent_requests (docs/scale-out.md): a short agent request (discovery, vm.info, power) written by a server that
// has no suitable agent, claimed by the server that holds the agent (`FOR UPDATE SKIP LOCKED` on PostgreSQL and
// MariaDB; a conditional UPDATE on SQLite), answered in the row, and read back by the asking server. Every status
// change is conditional on the statuses it may come from, so a late answer never overwrites a timeout.
import { agentRequestStatuses, newId, type AgentRequestStatus } from '@migratekit/core';
import type { Row } from '../schema';
import { affected, fromJson, toJson, type RepositoryDeps } from './repository-deps';

export interface AgentRequestError {
  code: string;
  message: string;
  details?: unknown;
}

export type AgentRequestRecord = Omit<Row<'agent_requests'>, 'status' | 'params' | 'result' | 'error'> & {
  status: AgentRequestStatus;
  params: unknown;
  result: unknown;
  error: AgentRequestError | null;
};

export interface NewAgentRequest {
  agent_id: string;
  method: string;
  params: unknown;
  timeout_ms: number;
  requested_by: string;
  deadline_at: Date;
}

const toRecord = (row: Row<'agent_requests'>): AgentRequestRecord => ({
  ...row,
  status: row.status as AgentRequestStatus,
  params: fromJson<unknown>(row.params),
  result: fromJson<unknown>(row.result),
  error: fromJson<AgentRequestError>(row.error),
});

export class AgentRequestRepository {
  constructor(private readonly deps: RepositoryDeps) {}

  async create(request: NewAgentRequest): Promise<AgentRequestRecord> {
    const id = newId('areq');
    await this.deps.db
      .insertInto('agent_requests')
      .values({
        id,
        ...request,
        params: toJson(request.params) ?? 'null',
        status: 'pending',
        claimed_by: null,
        result: null,
        error: null,
        created_at: this.deps.clock.now(),
        completed_at: null,
      })
      .execute();
    const created = await this.get(id);
    if (created === undefined) throw new Error(`agent request ${id} vanished after insert`);
    return created;
  }

  async get(id: string): Promise<AgentRequestRecord | undefined> {
    const row = await this.deps.db.selectFrom('agent_requests').selectAll().where('id', '=', id).executeTakeFirst();
    return row === undefined ? undefined : toRecord(row);
  }

  /** Pending requests for `agentIds` whose deadline has not passed, claimed by `server`. */
  async claimFor(agentIds: readonly string[], server: string, limit = 20): Promise<AgentRequestRecord[]> {
    if (agentIds.length === 0) return [];
    const now = this.deps.clock.now();
    const select = (db: typeof this.deps.db) =>
      db
        .selectFrom('agent_requests')
        .selectAll()
        .where('status', '=', 'pending')
        .where('agent_id', 'in', [...agentIds])
        .where('deadline_at', '>', now)
        .orderBy('created_at')
        .limit(limit);
    const claim = { status: 'claimed', claimed_by: server };
    if (this.deps.engine === 'sqlite') {
      const claimed: AgentRequestRecord[] = [];
      for (const row of await select(this.deps.db).execute()) {
        const result = await this.deps.db
          .updateTable('agent_requests')
          .set(claim)
          .where('id', '=', row.id)
          .where('status', '=', 'pending')
          .executeTakeFirst();
        if (affected(result) === 1) claimed.push(toRecord({ ...row, ...claim }));
      }
      return claimed;
    }
    return this.deps.db.transaction().execute(async (trx) => {
      const rows = await select(trx).forUpdate().skipLocked().execute();
      const ids = rows.map((row) => row.id);
      if (ids.length > 0) await trx.updateTable('agent_requests').set(claim).where('id', 'in', ids).execute();
      return rows.map((row) => toRecord({ ...row, ...claim }));
    });
  }

  /** Records the agent's answer; false when the request had already ended (timed out). */
  async succeed(id: string, result: unknown): Promise<boolean> {
    return this.end(id, 'succeeded', { result: toJson(result) ?? 'null' });
  }

  /** Records a failure; false when the request had already ended. */
  async fail(id: string, error: AgentRequestError): Promise<boolean> {
    return this.end(id, 'failed', { error: toJson(error) });
  }

  /** Removes ended requests older than `before` (the answers were read long ago). */
  async deleteEndedBefore(before: Date): Promise<number> {
    const result = await this.deps.db
      .deleteFrom('agent_requests')
      .where('status', 'in', ['succeeded', 'failed'])
      .where('completed_at', '<', before)
      .executeTakeFirst();
    return affected(result);
  }

  private async end(
    id: string,
    status: 'succeeded' | 'failed',
    values: { result?: string; error?: string | null },
  ): Promise<boolean> {
    const result = await this.deps.db
      .updateTable('agent_requests')
      .set({ ...values, status, completed_at: this.deps.clock.now() })
      .where('id', '=', id)
      .where('status', 'in', [...agentRequestStatuses.allowedSources(status)])
      .executeTakeFirst();
    return affected(result) === 1;
  }
}
