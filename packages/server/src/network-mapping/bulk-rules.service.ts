// Bulk rules (docs/network-mapping.md): "source network X -> production P and test T" for the selected VMs or for
// every managed VM that has X. The preview lists each mapping it would create or change before anything is
// written; applying writes them all in one transaction or none.
import { MigrateKitError } from '@migratekit/core';
import type { NetworkMappingInput, NetworkMappingRecord } from '@migratekit/db';
import type { AuditContext } from '../services/audit.service';
import { kindOf } from './mapping-views';
import { assertDestinationUsable } from './network-mapping.service';
import type { NetworkCatalog, NetworkKind } from './network-catalog';
import { recordDecision, type NetworkMappingDeps } from './network-mapping-deps';
import { sourceNetworksOf } from './source-networks';

export interface BulkRule {
  source_network_name: string;
  production_network_id?: string;
  test_network_id?: string;
  /** The selected VMs; absent means every managed VM that has the source network. */
  context_ids?: string[];
}

export type BulkAction = 'create' | 'replace' | 'unchanged';

export interface BulkChange {
  context_id: string;
  vm_name: string;
  kind: NetworkKind;
  action: BulkAction;
  from_network_id: string | null;
  to_network_id: string;
  to_network_name: string;
}

export interface BulkPreview {
  source_network_name: string;
  vms_matched: number;
  changes: BulkChange[];
  creates: number;
  replaces: number;
  unchanged: number;
  /** Selected VMs that do not have the source network. */
  skipped: { context_id: string; vm_name: string | null; reason: string }[];
}

export interface BulkResult extends BulkPreview {
  written: number;
}

export class BulkRuleService {
  constructor(
    private readonly deps: NetworkMappingDeps,
    private readonly catalog: NetworkCatalog,
  ) {}

  async preview(rule: BulkRule): Promise<BulkPreview> {
    const targets: { kind: NetworkKind; id: string; field: string }[] = [];
    if (rule.production_network_id !== undefined)
      targets.push({ kind: 'production', id: rule.production_network_id, field: 'body.production_network_id' });
    if (rule.test_network_id !== undefined)
      targets.push({ kind: 'test', id: rule.test_network_id, field: 'body.test_network_id' });
    if (targets.length === 0)
      throw new MigrateKitError('MKE_VALIDATION', {
        message: 'A bulk rule needs production_network_id, test_network_id or both',
        field: 'body.production_network_id',
      });
    const snapshot = await this.catalog.snapshot();
    const names = new Map(targets.map((t) => [t.kind, assertDestinationUsable(snapshot, t.id, t.kind, t.field)]));

    const { repositories } = this.deps;
    const vms = await repositories.vmDisks.latestNicsByContext(rule.context_ids);
    const skipped: BulkPreview['skipped'] = [];
    if (rule.context_ids !== undefined) {
      const found = new Set(vms.map((v) => v.vm_context_id));
      for (const id of rule.context_ids)
        if (!found.has(id)) skipped.push({ context_id: id, vm_name: null, reason: 'no managed VM with recorded NICs' });
    }
    const matched = vms.filter((vm) => {
      const has = sourceNetworksOf(vm.nics).some((s) => s.name === rule.source_network_name);
      if (!has && rule.context_ids !== undefined)
        skipped.push({
          context_id: vm.vm_context_id,
          vm_name: vm.vm_name,
          reason: `no NIC on network "${rule.source_network_name}"`,
        });
      return has;
    });
    const existing = await repositories.networkMappings.listByContexts(matched.map((v) => v.vm_context_id));
    const changes: BulkChange[] = [];
    for (const vm of matched)
      for (const target of targets) {
        const current = (existing.get(vm.vm_context_id) ?? []).find(
          (r: NetworkMappingRecord) =>
            r.source_network_name === rule.source_network_name && kindOf(r.is_test_network) === target.kind,
        );
        changes.push({
          context_id: vm.vm_context_id,
          vm_name: vm.vm_name,
          kind: target.kind,
          action:
            current === undefined ? 'create' : current.destination_network_id === target.id ? 'unchanged' : 'replace',
          from_network_id: current?.destination_network_id ?? null,
          to_network_id: target.id,
          to_network_name: names.get(target.kind) ?? target.id,
        });
      }
    const count = (action: BulkAction): number => changes.filter((c) => c.action === action).length;
    return {
      source_network_name: rule.source_network_name,
      vms_matched: matched.length,
      changes,
      creates: count('create'),
      replaces: count('replace'),
      unchanged: count('unchanged'),
      skipped,
    };
  }

  /** Writes every create and replace of the preview in one transaction: one failing row rolls all back. */
  async apply(rule: BulkRule, ctx: AuditContext): Promise<BulkResult> {
    const preview = await this.preview(rule);
    const rows: NetworkMappingInput[] = preview.changes
      .filter((c) => c.action !== 'unchanged')
      .map((c) => ({
        vm_context_id: c.context_id,
        source_network_name: rule.source_network_name,
        is_test_network: c.kind === 'test',
        destination_network_id: c.to_network_id,
        destination_network_name: c.to_network_name,
        validation_status: 'valid',
      }));
    const written = await this.deps.repositories.transaction((repos) => repos.networkMappings.upsertMany(rows));
    await recordDecision(this.deps, ctx, 'network_mapping.bulk_apply', undefined, {
      source_network_name: rule.source_network_name,
      production_network_id: rule.production_network_id ?? null,
      test_network_id: rule.test_network_id ?? null,
      vms: preview.vms_matched,
      written,
    });
    return { ...preview, written };
  }
}
