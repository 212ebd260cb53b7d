import type { Kysely } from 'kysely';
import type { DatabaseSchema, NewRow, Row } from '../schema';

export type AuditEventRow = Row<'audit_events'>;

export interface AuditFilter {
  action?: string;
  targetType?: string;
  targetId?: string;
  vmContextId?: string;
  limit: number;
  offset: number;
}

export class AuditRepository {
  constructor(private readonly db: Kysely<DatabaseSchema>) {}

  async insert(row: NewRow<'audit_events'>): Promise<void> {
    await this.db.insertInto('audit_events').values(row).execute();
  }

  async list(filter: AuditFilter): Promise<{ items: AuditEventRow[]; total: number }> {
    let query = this.db.selectFrom('audit_events');
    if (filter.action !== undefined) query = query.where('action', '=', filter.action);
    if (filter.targetType !== undefined) query = query.where('target_type', '=', filter.targetType);
    if (filter.targetId !== undefined) query = query.where('target_id', '=', filter.targetId);
    if (filter.vmContextId !== undefined) query = query.where('vm_context_id', '=', filter.vmContextId);
    const [items, count] = await Promise.all([
      query
        .selectAll()
        .orderBy('created_at', 'desc')
        .orderBy('id', 'desc')
        .limit(filter.limit)
        .offset(filter.offset)
        .execute(),
      query.select((eb) => eb.fn.countAll<number | string>().as('n')).executeTakeFirstOrThrow(),
    ]);
    return { items, total: Number(count.n) };
  }
}
