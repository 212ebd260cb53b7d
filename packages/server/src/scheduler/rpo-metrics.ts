// RPO on /metrics (docs/scheduler.md#rpo): per VM the age of its last good sync, its target and whether it is
// breached, plus how many VMs are in each RPO state. Computed from the database at scrape time (prom-client's
// collect), so every server of a cluster reports the same values whichever one is scraped. prom-client
// collects all metrics of a scrape concurrently: the four gauges share one in-flight read of the database.
import { Gauge, type Registry } from 'prom-client';
import type { RpoService, VmRpoRow } from './rpo.service';
import type { RpoState } from './rpo';

const STATES: readonly RpoState[] = ['ok', 'warning', 'breached', 'pending', 'unprotected'];

export function registerRpoMetrics(registry: Registry, rpo: Pick<RpoService, 'all'>): void {
  let inFlight: Promise<VmRpoRow[]> | undefined;
  const rows = (): Promise<VmRpoRow[]> => {
    inFlight ??= rpo.all().finally(() => {
      inFlight = undefined;
    });
    return inFlight;
  };
  new Gauge({
    name: 'migratekit_rpo_vms',
    help: 'Managed VMs per RPO state',
    labelNames: ['state'],
    registers: [registry],
    async collect() {
      const all = await rows();
      this.reset();
      for (const state of STATES) this.set({ state }, all.filter((r) => r.rpo.state === state).length);
    },
  });
  const perVm = (name: string, help: string, value: (row: VmRpoRow) => number | null): void => {
    new Gauge({
      name,
      help,
      labelNames: ['context_id', 'vm_name', 'schedule'],
      registers: [registry],
      async collect() {
        const all = await rows();
        this.reset();
        for (const row of all) {
          const v = row.rpo.state === 'unprotected' ? null : value(row);
          if (v === null) continue;
          this.set({ context_id: row.context_id, vm_name: row.vm_name, schedule: row.rpo.schedule_name ?? '' }, v);
        }
      },
    });
  };
  perVm(
    'migratekit_vm_rpo_seconds',
    "Seconds since the VM's last successful sync (VMs with a schedule and at least one sync)",
    (row) => row.rpo.age_seconds,
  );
  perVm(
    'migratekit_vm_rpo_target_seconds',
    "The VM's RPO target: its schedule's target_rpo_seconds, else twice the cron interval",
    (row) => row.rpo.target_seconds,
  );
  perVm(
    'migratekit_vm_rpo_breached',
    '1 while the VM is past its RPO target (the rpo_breached alert), else 0',
    (row) => (row.rpo.state === 'breached' ? 1 : 0),
  );
}
