// nbd_exports: the NBD exports the server offers, one per attached volume, by persistent name.
import type { NewRow, Row } from '../schema';
import { affected, pageBounds, type Page, type Paging, type RepositoryDeps } from './repository-deps';
import { upsertOnKey } from './upsert';

export type NbdExportRecord = Row<'nbd_exports'>;
export type NbdExportInput = Omit<NewRow<'nbd_exports'>, 'created_at' | 'updated_at'>;

export interface NbdExportFilter {
  contextId?: string;
  status?: string;
}

export class NbdExportRepository {
  constructor(private readonly deps: RepositoryDeps) {}

  /** Creates the export or updates its device and status (re-attach gives a new device path). */
  async upsert(input: NbdExportInput): Promise<NbdExportRecord> {
    const now = this.deps.clock.now();
    const { export_name: _key, ...fields } = input;
    const changes = { ...fields, updated_at: now };
    const insert = this.deps.db.insertInto('nbd_exports').values({ ...input, created_at: now, updated_at: now });
    await upsertOnKey(this.deps.engine, insert, 'export_name', changes).execute();
    const row = await this.get(input.export_name);
    if (row === undefined) throw new Error(`nbd export ${input.export_name} vanished after upsert`);
    return row;
  }

  async get(exportName: string): Promise<NbdExportRecord | undefined> {
    return this.deps.db.selectFrom('nbd_exports').selectAll().where('export_name', '=', exportName).executeTakeFirst();
  }

  async getByVolumeId(volumeId: string): Promise<NbdExportRecord | undefined> {
    return this.deps.db.selectFrom('nbd_exports').selectAll().where('volume_id', '=', volumeId).executeTakeFirst();
  }

  /** Every matching export, for the daemon (the export set is one per attached volume, so it stays small). */
  async list(filter: NbdExportFilter = {}): Promise<NbdExportRecord[]> {
    return this.filtered(filter).selectAll().orderBy('export_name').execute();
  }

  /** One page by export name, for the operator view. */
  async listPage(filter: NbdExportFilter = {}, paging: Paging = {}): Promise<Page<NbdExportRecord>> {
    const { limit, offset } = pageBounds(paging);
    const query = this.filtered(filter);
    const [items, count] = await Promise.all([
      query.selectAll().orderBy('export_name').limit(limit).offset(offset).execute(),
      query.select((eb) => eb.fn.countAll<number>().as('total')).executeTakeFirstOrThrow(),
    ]);
    return { items, total: Number(count.total) };
  }

  private filtered(filter: NbdExportFilter) {
    let query = this.deps.db.selectFrom('nbd_exports');
    if (filter.contextId !== undefined) query = query.where('vm_context_id', '=', filter.contextId);
    if (filter.status !== undefined) query = query.where('status', '=', filter.status);
    return query;
  }

  async setStatus(exportName: string, status: string): Promise<boolean> {
    const result = await this.deps.db
      .updateTable('nbd_exports')
      .set({ status, updated_at: this.deps.clock.now() })
      .where('export_name', '=', exportName)
      .executeTakeFirst();
    return affected(result) === 1;
  }

  async delete(exportName: string): Promise<boolean> {
    const result = await this.deps.db
      .deleteFrom('nbd_exports')
      .where('export_name', '=', exportName)
      .executeTakeFirst();
    return affected(result) === 1;
  }
}
