// guest_inspections: the latest inspection of each VM's disks (docs/conversion.md); a new inspection replaces
// the previous one.
import type { Row } from '../schema';
import { fromJson, toJson, type RepositoryDeps } from './repository-deps';
import { upsertOnKey } from './upsert';

export interface GuestInspectionRecord {
  vm_context_id: string;
  /** linux | windows | other | unknown (no operating system found). */
  os_family: string;
  distribution: string | null;
  version: string | null;
  kernel: string | null;
  convertible: boolean;
  reason: string | null;
  /** The devices (or image files) that were inspected, the root disk first. */
  devices: string[];
  inspected_at: Date;
}

export type GuestInspectionInput = Omit<GuestInspectionRecord, 'inspected_at'>;

const toRecord = (row: Row<'guest_inspections'>): GuestInspectionRecord => ({
  ...row,
  devices: fromJson<string[]>(row.devices) ?? [],
});

export class GuestInspectionRepository {
  constructor(private readonly deps: RepositoryDeps) {}

  async get(contextId: string): Promise<GuestInspectionRecord | undefined> {
    const row = await this.deps.db
      .selectFrom('guest_inspections')
      .selectAll()
      .where('vm_context_id', '=', contextId)
      .executeTakeFirst();
    return row && toRecord(row);
  }

  /** Stores the inspection as the context's latest, replacing any earlier one. */
  async record(input: GuestInspectionInput): Promise<GuestInspectionRecord> {
    const changes = {
      os_family: input.os_family,
      distribution: input.distribution,
      version: input.version,
      kernel: input.kernel,
      convertible: input.convertible,
      reason: input.reason,
      devices: toJson(input.devices) ?? '[]',
      inspected_at: this.deps.clock.now(),
    };
    const insert = this.deps.db
      .insertInto('guest_inspections')
      .values({ vm_context_id: input.vm_context_id, ...changes });
    await upsertOnKey(this.deps.engine, insert, 'vm_context_id', changes).execute();
    const row = await this.get(input.vm_context_id);
    if (row === undefined) throw new Error('guest inspection vanished after it was recorded');
    return row;
  }
}
