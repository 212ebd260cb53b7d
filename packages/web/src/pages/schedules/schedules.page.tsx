// Schedules and machine groups (docs/scheduler.md): the schedules with their next run and "Run now", the
// groups in priority order with their VMs, and the execution history with every skip reason.
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api } from '../../api/client';
import { useCanAct } from '../../auth/session';
import { Button, Card, ConfirmDialog, InlineError, PageHeader, QueryList } from '../../components/ui';
import { formatDateTime } from '../../lib/format';
import { ExecutionsCard } from './executions-card';
import { MachineGroupsCard } from './machine-groups-card';
import { formatSeconds } from './rpo-badge';
import { ScheduleForm } from './schedule-form';
import { SCHEDULER_KEY, useSchedules, type Schedule } from './schedules.api';

function SchedulesTable({ schedules, onEdit }: { schedules: Schedule[]; onEdit: (s: Schedule) => void }) {
  const queryClient = useQueryClient();
  const canAct = useCanAct();
  const [deleting, setDeleting] = useState<Schedule | null>(null);
  const refresh = () => queryClient.invalidateQueries({ queryKey: SCHEDULER_KEY });
  const runNow = useMutation({
    mutationFn: (id: string) => api.ops.runScheduleNow({ path: { id } }),
    onSuccess: refresh,
  });
  const toggle = useMutation({
    mutationFn: (s: Schedule) => api.ops.updateSchedule({ path: { id: s.id }, body: { enabled: !s.enabled } }),
    onSuccess: refresh,
  });
  const remove = useMutation({
    mutationFn: (id: string) => api.ops.deleteSchedule({ path: { id } }),
    onSuccess: async () => {
      setDeleting(null);
      await refresh();
    },
  });
  return (
    <>
      <table className="w-full text-[13px]" aria-label="Schedules">
        <thead className="text-left text-xs text-slate-500">
          <tr>
            <th className="px-3 py-1.5 font-medium">Schedule</th>
            <th className="px-3 py-1.5 font-medium">Cron</th>
            <th className="px-3 py-1.5 font-medium">Every</th>
            <th className="px-3 py-1.5 font-medium">Target RPO</th>
            <th className="px-3 py-1.5 font-medium">Max jobs</th>
            <th className="px-3 py-1.5 font-medium">Groups</th>
            <th className="px-3 py-1.5 font-medium">Next run</th>
            <th className="px-3 py-1.5" />
          </tr>
        </thead>
        <tbody>
          {schedules.map((s) => (
            <tr key={s.id} className="border-t border-slate-200 dark:border-slate-800">
              <td className="px-3 py-1.5 font-medium">
                {s.name}
                {s.enabled ? null : <span className="ml-1.5 text-xs text-slate-500">(disabled)</span>}
              </td>
              <td className="px-3 py-1.5 font-mono text-xs">
                {s.cron_expression} <span className="text-slate-500">{s.timezone}</span>
              </td>
              <td className="px-3 py-1.5">{formatSeconds(s.interval_seconds)}</td>
              <td className="px-3 py-1.5">
                {formatSeconds(s.target_rpo_seconds ?? (s.interval_seconds === null ? null : s.interval_seconds * 2))}
              </td>
              <td className="px-3 py-1.5 tabular-nums">{s.max_concurrent_jobs}</td>
              <td className="px-3 py-1.5 tabular-nums">{s.group_count}</td>
              <td className="px-3 py-1.5 tabular-nums">{s.enabled ? formatDateTime(s.next_run_at) : '-'}</td>
              <td className="space-x-1 px-3 py-1.5 text-right">
                {canAct ? (
                  <>
                    <Button
                      onClick={() => runNow.mutate(s.id)}
                      aria-label={`Run ${s.name} now`}
                      disabled={runNow.isPending}
                    >
                      Run now
                    </Button>
                    <Button variant="ghost" onClick={() => toggle.mutate(s)}>
                      {s.enabled ? 'Disable' : 'Enable'}
                    </Button>
                    <Button variant="ghost" onClick={() => onEdit(s)}>
                      Edit
                    </Button>
                    <Button variant="ghost" onClick={() => setDeleting(s)}>
                      Delete
                    </Button>
                  </>
                ) : null}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <InlineError error={runNow.error ?? toggle.error} />
      {deleting !== null ? (
        <ConfirmDialog
          title={`Delete schedule ${deleting.name}?`}
          consequences="Its execution history is deleted; its groups stay, without a schedule, and stop replicating."
          confirmLabel="Delete schedule"
          pending={remove.isPending}
          error={remove.error}
          onConfirm={() => remove.mutate(deleting.id)}
          onCancel={() => setDeleting(null)}
        />
      ) : null}
    </>
  );
}

export function SchedulesPage() {
  const schedules = useSchedules();
  const canAct = useCanAct();
  const [editing, setEditing] = useState<Schedule | 'new' | null>(null);
  const list = schedules.data ?? [];
  return (
    <div className="flex min-h-0 flex-1 flex-col">
      <PageHeader
        title="Schedules"
        subtitle="Replication on a cron schedule, by machine group and priority; every run is recorded with its skip reasons"
        actions={
          canAct ? (
            <Button variant="primary" onClick={() => setEditing('new')}>
              New schedule
            </Button>
          ) : null
        }
      />
      <div className="min-h-0 flex-1 space-y-3 overflow-auto p-3">
        <Card title="Schedules">
          <QueryList query={schedules} items={list} what="schedules" empty="No schedule yet.">
            {(rows) => <SchedulesTable schedules={[...rows]} onEdit={setEditing} />}
          </QueryList>
        </Card>
        <MachineGroupsCard schedules={list} />
        <ExecutionsCard schedules={list} />
      </div>
      {editing !== null ? (
        <ScheduleForm {...(editing === 'new' ? {} : { schedule: editing })} onClose={() => setEditing(null)} />
      ) : null}
    </div>
  );
}
