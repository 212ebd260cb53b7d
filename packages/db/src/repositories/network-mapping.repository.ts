// network_mappings (SPEC §5.3): each source network of a VM has one production and one test mapping,
// enforced by UNIQUE (vm_context_id, source_network_name, is_test_network).
import { newId, type NetworkMappingValidationStatus } from '@migratekit/core';
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

const toRecord = (row: Row<'network_mappings'>): NetworkMappingRecord => row as NetworkMappingRecord;

export class NetworkMappingRepository {
  constructor(private readonly deps: RepositoryDeps) {}

  /** Creates the (context, source network, production|test) mapping or replaces its destination. */
  async upsert(input: NetworkMappingInput): Promise<NetworkMappingRecord> {
    const now = this.deps.clock.now();
    const changes = {
      destination_network_id: input.destination_network_id,
      destination_network_name: input.destination_network_name ?? null,
      validation_status: input.validation_status ?? 'pending',
      updated_at: now,
    };
    const insert = this.deps.db.insertInto('network_mappings').values({
      id: newId('netmap'),
      vm_context_id: input.vm_context_id,
      source_network_name: input.source_network_name,
      is_test_network: input.is_test_network,
      last_validated: null,
      created_at: now,
      ...changes,
    });
    await (
      this.deps.engine === 'mysql'
        ? insert.onDuplicateKeyUpdate(changes)
        : insert.onConflict((oc) =>
            oc.columns(['vm_context_id', 'source_network_name', 'is_test_network']).doUpdateSet(changes),
          )
    ).execute();
    const row = await this.get({
      contextId: input.vm_context_id,
      sourceNetworkName: input.source_network_name,
      isTestNetwork: input.is_test_network,
    });
    if (row === undefined) throw new Error('network mapping vanished after upsert');
    return row;
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

  async setValidation(id: string, status: ValidationStatus): Promise<boolean> {
    const now = this.deps.clock.now();
    const result = await this.deps.db
      .updateTable('network_mappings')
      .set({ validation_status: status, last_validated: now, updated_at: now })
      .where('id', '=', id)
      .executeTakeFirst();
    return affected(result) === 1;
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
