// network_mappings (docs/network-mapping.md): each source network of a VM has one production and one test mapping,
// enforced by UNIQUE (vm_context_id, source_network_name, is_test_network).
import { newId, type NetworkMappingValidationStatus } from '@migratekit/core';
import { sql } from 'kysely';
import type { Row } from '../schema';
import { affected, type RepositoryDeps } from './repository-deps';

// The statuses come from the catalogue in @migratekit/core (docs/statuses.md).
export type ValidationStatus = NetworkMappingValidationStatus;
export type NetworkMappingRecord = Omit<Row<'network_mappings'>, 'validation_status'> & {
  validation_status: ValidationStatus;
};

export interface NetworkMappingInput {
  vm_context_id: string;
  source_network_name: string;
  is_test_network: boolean;
  destination_network_id: string;
  destination_network_name?: string | null;
  validation_status?: ValidationStatus;
}

export interface NetworkMappingKey {
  contextId: string;
  sourceNetworkName: string;
  isTestNetwork: boolean;
}

export interface ValidationResult {
  status: ValidationStatus;
  /** Why the destination is unusable; null when valid. */
  reason: string | null;
}

const toRecord = (row: Row<'network_mappings'>): NetworkMappingRecord => row as NetworkMappingRecord;

/** Rows per INSERT of a bulk upsert: well under every engine's bound-parameter limit (10 columns a row). */
const BULK_CHUNK = 200;
/** Ids per IN (...) list. */
const IN_CHUNK = 500;

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

export class NetworkMappingRepository {
  constructor(private readonly deps: RepositoryDeps) {}

  /** Creates the (context, source network, production|test) mapping or replaces its destination. */
  async upsert(input: NetworkMappingInput): Promise<NetworkMappingRecord> {
    await this.upsertMany([input]);
    const row = await this.get({
      contextId: input.vm_context_id,
      sourceNetworkName: input.source_network_name,
      isTestNetwork: input.is_test_network,
    });
    if (row === undefined) throw new Error('network mapping vanished after upsert');
    return row;
  }

  /**
   * Creates or replaces many mappings with multi-row statements. Not a transaction by itself: callers that need
   * all or nothing run it inside `repositories.transaction`.
   */
  async upsertMany(inputs: readonly NetworkMappingInput[]): Promise<number> {
    const now = this.deps.clock.now();
    for (const chunk of chunks(inputs, BULK_CHUNK)) {
      const insert = this.deps.db.insertInto('network_mappings').values(
        chunk.map((input) => ({
          id: newId('netmap'),
          vm_context_id: input.vm_context_id,
          source_network_name: input.source_network_name,
          is_test_network: input.is_test_network,
          destination_network_id: input.destination_network_id,
          destination_network_name: input.destination_network_name ?? null,
          validation_status: input.validation_status ?? 'pending',
          validation_reason: null,
          // A caller that checked the destination while writing says so with validation_status.
          last_validated: (input.validation_status ?? 'pending') === 'pending' ? null : now,
          created_at: now,
          updated_at: now,
        })),
      );
      // A replaced destination takes the new row's validation state: the old one described another network.
      await (
        this.deps.engine === 'mysql'
          ? insert.onDuplicateKeyUpdate({
              destination_network_id: sql`values(destination_network_id)`,
              destination_network_name: sql`values(destination_network_name)`,
              validation_status: sql`values(validation_status)`,
              validation_reason: null,
              last_validated: sql`values(last_validated)`,
              updated_at: now,
            })
          : insert.onConflict((oc) =>
              oc.columns(['vm_context_id', 'source_network_name', 'is_test_network']).doUpdateSet((eb) => ({
                destination_network_id: eb.ref('excluded.destination_network_id'),
                destination_network_name: eb.ref('excluded.destination_network_name'),
                validation_status: eb.ref('excluded.validation_status'),
                validation_reason: null,
                last_validated: eb.ref('excluded.last_validated'),
                updated_at: now,
              })),
            )
      ).execute();
    }
    return inputs.length;
  }

  async get(key: NetworkMappingKey): Promise<NetworkMappingRecord | undefined> {
    const row = await this.deps.db
      .selectFrom('network_mappings')
      .selectAll()
      .where('vm_context_id', '=', key.contextId)
      .where('source_network_name', '=', key.sourceNetworkName)
      .where('is_test_network', '=', key.isTestNetwork)
      .executeTakeFirst();
    return row && toRecord(row);
  }

  async getById(id: string): Promise<NetworkMappingRecord | undefined> {
    const row = await this.deps.db.selectFrom('network_mappings').selectAll().where('id', '=', id).executeTakeFirst();
    return row && toRecord(row);
  }

  async listByContext(contextId: string, options: { isTestNetwork?: boolean } = {}): Promise<NetworkMappingRecord[]> {
    let query = this.deps.db.selectFrom('network_mappings').selectAll().where('vm_context_id', '=', contextId);
    if (options.isTestNetwork !== undefined) query = query.where('is_test_network', '=', options.isTestNetwork);
    const rows = await query.orderBy('source_network_name').orderBy('is_test_network').execute();
    return rows.map(toRecord);
  }

  /** The mappings of many contexts (all contexts without a list), grouped by context id. */
  async listByContexts(contextIds?: readonly string[]): Promise<Map<string, NetworkMappingRecord[]>> {
    const base = this.deps.db.selectFrom('network_mappings').selectAll();
    const rows =
      contextIds === undefined
        ? await base.execute()
        : (
            await Promise.all(
              chunks(contextIds, IN_CHUNK).map((ids) => base.where('vm_context_id', 'in', ids).execute()),
            )
          ).flat();
    const grouped = new Map<string, NetworkMappingRecord[]>();
    for (const row of rows) {
      const list = grouped.get(row.vm_context_id) ?? [];
      list.push(toRecord(row));
      grouped.set(row.vm_context_id, list);
    }
    for (const list of grouped.values())
      list.sort(
        (a, b) =>
          a.source_network_name.localeCompare(b.source_network_name) ||
          Number(a.is_test_network) - Number(b.is_test_network),
      );
    return grouped;
  }

  async setValidation(id: string, result: ValidationResult): Promise<boolean> {
    const now = this.deps.clock.now();
    const outcome = await this.deps.db
      .updateTable('network_mappings')
      .set({ validation_status: result.status, validation_reason: result.reason, last_validated: now, updated_at: now })
      .where('id', '=', id)
      .executeTakeFirst();
    return affected(outcome) === 1;
  }

  /** Deletes exactly the one mapping named by the key (never the other half of the pair). */
  async delete(key: NetworkMappingKey): Promise<boolean> {
    const result = await this.deps.db
      .deleteFrom('network_mappings')
      .where('vm_context_id', '=', key.contextId)
      .where('source_network_name', '=', key.sourceNetworkName)
      .where('is_test_network', '=', key.isTestNetwork)
      .executeTakeFirst();
    return affected(result) === 1;
  }
}
