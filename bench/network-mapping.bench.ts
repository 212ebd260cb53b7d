// Bulk network mapping rule over 500 managed VMs (docs/network-mapping.md): preview and apply must each finish in
// under 2 s on SQLite and PostgreSQL (MariaDB too when MIGRATEKIT_TEST_MARIADB_URL is set). The database is real
// (engineCases, as in the tests) and the destinations are checked against the CloudStack simulator over HTTP.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { newContextId, systemClock } from '@migratekit/core';
import { createRepositories } from '@migratekit/db';
import { engineCases, type EngineCase } from '@migratekit/db/testing';
import { DEFAULT_ZONE_ID, startCloudStackSimulator } from '@migratekit/sim-cloudstack';
import { cloudStackClientFromConfig, createCloudStackAccess } from '../packages/server/src/cloudstack';
import { BulkRuleService } from '../packages/server/src/network-mapping/bulk-rules.service';
import { NetworkMappingService } from '../packages/server/src/network-mapping/network-mapping.service';
import { AuditService } from '../packages/server/src/services/audit.service';
import type { BenchSuite, Figure } from './bench-types';

const VMS = 500;
const LIMIT_MS = 2000;
const PROD = 'a0000100-1111-4222-8333-944455556666';
const TEST = 'a0000901-1111-4222-8333-944455556666';
const KEYS = { apiKey: 'bench-key', secretKey: 'bench-secret' };

async function runOn(engine: EngineCase, simHostPort: string): Promise<Figure[]> {
  const database = await engine.create();
  try {
    const repositories = createRepositories(database.db, systemClock);
    const at = new Date();
    for (let i = 0; i < VMS; i++) {
      const contextId = newContextId(`bench-vm-${String(i).padStart(3, '0')}`, at);
      await repositories.contexts.create({
        context_id: contextId,
        vm_name: `bench-vm-${i}`,
        vmware_vm_id: `uuid-${i}`,
      });
      await repositories.vmDisks.create({
        vm_context_id: contextId,
        job_id: null,
        disk_id: 'disk-2000',
        capacity_bytes: 1,
        sync_status: 'discovered',
        nics: [
          { label: 'Network adapter 1', network_name: 'VM Network', mac_address: `00:50:56:00:${i % 256}:01` },
          { label: 'Network adapter 2', network_name: 'VLAN 20 - Backup', mac_address: `00:50:56:00:${i % 256}:02` },
        ],
      });
    }
    const config = {
      id: 'csc-bench',
      name: 'bench',
      apiUrl: `http://${simHostPort}/client/api`,
      ...KEYS,
      zoneId: DEFAULT_ZONE_ID,
      domainId: null,
      templateId: null,
      serviceOfferingId: null,
      diskOfferingId: null,
      serverVmId: null,
      defaultNetworkId: null,
    };
    const deps = {
      repositories,
      clock: systemClock,
      audit: new AuditService({ audit: repositories.audit }),
      cloudStack: createCloudStackAccess({
        configs: { resolveActive: () => Promise.resolve(config) },
        createClient: (c) => cloudStackClientFromConfig(c),
      }),
    };
    const services = { bulkRules: new BulkRuleService(deps, new NetworkMappingService(deps).catalog) };
    const rule = { source_network_name: 'VM Network', production_network_id: PROD, test_network_id: TEST };
    const actor = {
      principal: {
        userId: 'bench',
        username: 'bench',
        role: 'admin' as const,
        via: 'token' as const,
        credentialId: 'bench',
      },
    };
    const timed = async <T>(work: () => Promise<T>): Promise<[T, number]> => {
      const start = performance.now();
      const result = await work();
      return [result, performance.now() - start];
    };
    const [preview, previewMs] = await timed(() => services.bulkRules.preview(rule));
    const [applied, applyMs] = await timed(() => services.bulkRules.apply(rule, actor));
    if (preview.changes.length !== VMS * 2 || applied.written !== VMS * 2)
      throw new Error(`expected ${VMS * 2} mappings, previewed ${preview.changes.length}, wrote ${applied.written}`);
    const figure = (what: string, ms: number): Figure => ({
      name: `network-bulk-${what}-${engine.name}`,
      ratio: ms / LIMIT_MS,
      figures: { vms: VMS, mappings: VMS * 2, ms: Math.round(ms) },
      target: `ratio < 1 (under ${LIMIT_MS} ms)`,
      met: ms < LIMIT_MS,
    });
    return [figure('preview', previewMs), figure('apply', applyMs)];
  } finally {
    await database.drop();
  }
}

export const suite: BenchSuite = {
  description: `bulk network mapping rule over ${VMS} managed VMs: preview and apply, per database engine`,
  async run() {
    const dir = await mkdtemp(join(tmpdir(), 'mk-bench-netmap-'));
    const sim = await startCloudStackSimulator({ ...KEYS, dataDir: join(dir, 'sim'), byIdDir: join(dir, 'by-id') });
    const figures: Figure[] = [];
    const notes: string[] = [];
    try {
      for (const engine of engineCases()) {
        if (engine.skip !== false) {
          notes.push(`${engine.name}: skipped (${engine.skip})`);
          continue;
        }
        figures.push(...(await runOn(engine, sim.hostPort)));
      }
    } finally {
      await sim.close();
      await rm(dir, { recursive: true, force: true });
    }
    return { figures, notes };
  },
};
