// RPO on /metrics (docs/scheduler.md#rpo): per VM the age of its last good sync, its target and whether it is
// breached, plus how many VMs are in each RPO state. Computed from the database at scrape time (prom-client's
// collect), so every server of a cluster reports the same values whichever one is scraped.
import { Gauge, type Registry } from 'prom-client';
import type { RpoService } from './rpo.service';
import type { RpoState } from './rpo';

const STATES: readonly RpoState[] = ['ok', 'warning', 'breached', 'pending', 'unprotected'];

export function registerRpoMetrics(registry: Registry, rpo: Pick<RpoService, 'all'>): void {
  const labelNames = ['context_id', 'vm_name', 'schedule'] as const;
  // The summary is registered first: its collect reads the database once and fills every gauge, before the
  // registry serializes the per-VM ones.
  const summary = new Gauge({
    name: 'migratekit_rpo_vms',
    help: 'Managed VMs per RPO state',
    labelNames: ['state'],
    registers: [registry],
    async collect() {
      const rows = await rpo.all();
      for (const gauge of [age, target, breached]) gauge.reset();
      summary.reset();
      for (const state of STATES) summary.set({ state }, rows.filter((r) => r.rpo.state === state).length);
      for (const { context_id, vm_name, rpo: value } of rows) {
        if (value.state === 'unprotected') continue;
        const labels = { context_id, vm_name, schedule: value.schedule_name ?? '' };
        if (value.age_seconds !== null) age.set(labels, value.age_seconds);
        if (value.target_seconds !== null) target.set(labels, value.target_seconds);
        breached.set(labels, value.state === 'breached' ? 1 : 0);
      }
    },
  });
  const age = new Gauge({
    name: 'migratekit_vm_rpo_seconds',
    help: "Seconds since the VM's last successful sync (VMs with a schedule and at least one sync)",
    labelNames,
    registers: [registry],
  });
  const target = new Gauge({
    name: 'migratekit_vm_rpo_target_seconds',
    help: "The VM's RPO target: its schedule's target_rpo_seconds, else twice the cron interval",
    labelNames,
    registers: [registry],
  });
  const breached = new Gauge({
    name: 'migratekit_vm_rpo_breached',
    help: '1 while the VM is past its RPO target (the rpo_breached alert), else 0',
    labelNames,
    registers: [registry],
  });
}
