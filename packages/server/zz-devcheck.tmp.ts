import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from './src/logging/logger';
import { startDevStack } from './src/dev';
const dataDir = mkdtempSync(join(tmpdir(), 'mk-devcheck-'));
const stack = await startDevStack({ env: { MIGRATEKIT_DATA_DIR: dataDir, PORT: '0', LOG_LEVEL: 'silent' }, logger: createLogger({ level: 'silent' }), out: (l) => console.log(l), guestWrites: true });
const token = (await import('node:fs')).readFileSync(stack.cliTokenPath, 'utf8').trim();
const call = async (m: string, p: string, b?: unknown) => { const r = await fetch(`${stack.url}${p}`, { method: m, headers: { authorization: `Bearer ${token}`, ...(b ? { 'content-type': 'application/json' } : {}) }, ...(b ? { body: JSON.stringify(b) } : {}) }); return r.json() as Promise<any>; };
const { vms } = await call('POST', '/api/v1/discover', {});
const picked = vms.slice(0, 2);
const added = await call('POST', '/api/v1/replications', { vm_ids: picked.map((v: any) => v.id), start_replication: false });
const groups = await call('GET', '/api/v1/machine-groups');
const demo = groups.find((g: any) => g.name === 'dev-demo');
for (const r of added.results) await call('POST', `/api/v1/machine-groups/${demo.id}/vms`, { vm_context_id: r.context_id });
const show = async (label: string) => { const l = await call('GET', '/api/v1/vm-contexts'); console.log(label, JSON.stringify(l.items.map((c: any) => [c.vm_name, c.current_status, c.rpo?.state, c.rpo?.age_seconds, c.rpo?.reason]))); };
for (let i = 0; i < 8; i++) { await new Promise((r) => setTimeout(r, 10_000)); await show(`t+${(i + 1) * 10}s`); }
const ex = await call('GET', '/api/v1/schedule-executions?limit=5');
console.log(JSON.stringify(ex.items.map((e: any) => [e.scheduled_at, e.status, e.triggered_by, e.jobs_created, e.jobs_skipped])));
await stack.estate?.agent.close();
for (let i = 0; i < 12; i++) { await new Promise((r) => setTimeout(r, 10_000)); await show(`agent stopped t+${(i + 1) * 10}s`); }
await stack.close();
