// The audit trail: append-only, newest first when read.
import type { NewRow, Row } from '../schema';
import { pageBounds, type Page, type Paging, type RepositoryDeps } from './repository-deps';

export type AuditEventRow = Row<'audit_events'>;
export type NewAuditEvent = Omit<NewRow<'audit_events'>, 'created_at'>;

export interface AuditFilter extends Paging {
  action?: string;
  targetType?: string;
  targetId?: string;
  vmContextId?: string;
}

export class AuditRepository {
  constructor(private readonly deps: RepositoryDeps) {}

  async insert(event: NewAuditEvent): Promise<void> {
    await this.deps.db
      .insertInto('audit_events')
      .values({ ...event, created_at: this.deps.clock.now() })
      .execute();
  }

  async list(filter: AuditFilter = {}): Promise<Page<AuditEventRow>> {
    const { limit, offset } = pageBounds(filter);
    let query = this.deps.db.selectFrom('audit_events');
    if (filter.action !== undefined) query = query.where('action', '=', filter.action);
    if (filter.targetType !== undefined) query = query.where('target_type', '=', filter.targetType);
    if (filter.targetId !== undefined) query = query.where('target_id', '=', filter.targetId);
    if (filter.vmContextId !== undefined) query = query.where('vm_context_id', '=', filter.vmContextId);
    const [items, count] = await Promise.all([
      query.selectAll().orderBy('created_at', 'desc').orderBy('id', 'desc').limit(limit).offset(offset).execute(),
      query.select((eb) => eb.fn.countAll<number | string>().as('n')).executeTakeFirstOrThrow(),
    ]);
    return { items, total: Number(count.n) };
  }
}
