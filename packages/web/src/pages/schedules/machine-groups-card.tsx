// Machine groups by priority (move a group up or down to reorder), and the members of the chosen group by their
// own priority: add and remove VMs, reorder them, enable or disable one without removing it.
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api } from '../../api/client';
import { useCanAct } from '../../auth/session';
import { StatusBadge } from '../../components/status-badge';
import { Button, Card, InlineError, SelectField, TextField } from '../../components/ui';
import {
  SCHEDULER_KEY,
  useGroups,
  useManagedVms,
  useMembers,
  type GroupMember,
  type MachineGroup,
  type Schedule,
} from './schedules.api';

/** Swapping priorities with the neighbour moves an item one place; equal priorities get distinct ones first. */
function reorderedPriorities<T extends { id: string; priority: number }>(items: T[], index: number, delta: -1 | 1) {
  const target = index + delta;
  if (target < 0 || target >= items.length) return [];
  const ordered = items.map((item, i) => ({ id: item.id, priority: (i + 1) * 10 }));
  const a = ordered[index];
  const b = ordered[target];
  if (a === undefined || b === undefined) return [];
  [a.priority, b.priority] = [b.priority, a.priority];
  return ordered.filter((o, i) => o.priority !== items[i]?.priority);
}

function NewGroupRow({ schedules }: { schedules: Schedule[] }) {
  const queryClient = useQueryClient();
  const [name, setName] = useState('');
  const [scheduleId, setScheduleId] = useState('');
  const [maxVms, setMaxVms] = useState('5');
  const create = useMutation({
    mutationFn: (groups: number) =>
      api.ops.createMachineGroup({
        body: {
          name,
          schedule_id: scheduleId === '' ? null : scheduleId,
          max_concurrent_vms: Number(maxVms),
          priority: (groups + 1) * 10,
        },
      }),
    onSuccess: async () => {
      setName('');
      await queryClient.invalidateQueries({ queryKey: SCHEDULER_KEY });
    },
  });
  const groups = useGroups();
  return (
    <div className="flex flex-wrap items-end gap-2 border-t border-slate-200 px-3 py-2 dark:border-slate-800">
      <TextField label="New group" value={name} onChange={(e) => setName(e.target.value)} className="w-44" />
      <SelectField
        label="Schedule"
        options={schedules.map((s) => ({ value: s.id, label: s.name }))}
        placeholder="No schedule"
        value={scheduleId}
        onChange={(e) => setScheduleId(e.target.value)}
        className="w-44"
      />
      <TextField
        label="Max VMs at once"
        type="number"
        min={1}
        value={maxVms}
        onChange={(e) => setMaxVms(e.target.value)}
        className="w-28"
      />
      <Button disabled={name === '' || create.isPending} onClick={() => create.mutate(groups.data?.length ?? 0)}>
        Add group
      </Button>
      <InlineError error={create.error} />
    </div>
  );
}

function Members({ group }: { group: MachineGroup }) {
  const queryClient = useQueryClient();
  const canAct = useCanAct();
  const members = useMembers(group.id);
  const vms = useManagedVms();
  const [adding, setAdding] = useState('');
  const refresh = () => queryClient.invalidateQueries({ queryKey: SCHEDULER_KEY });
  const change = useMutation({
    mutationFn: async (work: () => Promise<unknown>) => work(),
    onSuccess: refresh,
  });
  const list = members.data ?? [];
  const inGroup = new Set(list.map((m) => m.vm_context_id));
  const candidates = (vms.data?.items ?? []).filter((v) => !inGroup.has(v.context_id));
  const patch = (m: GroupMember, body: { enabled?: boolean; priority?: number }) =>
    api.ops.updateMachineGroupMember({ path: { id: group.id, contextId: m.vm_context_id }, body });
  const move = (index: number, delta: -1 | 1) =>
    change.mutate(async () => {
      const byId = list.map((m) => ({ ...m, id: m.vm_context_id }));
      for (const p of reorderedPriorities(byId, index, delta))
        await api.ops.updateMachineGroupMember({
          path: { id: group.id, contextId: p.id },
          body: { priority: p.priority },
        });
    });
  return (
    <div className="border-t border-slate-200 dark:border-slate-800" aria-label={`Members of ${group.name}`}>
      <h3 className="px-3 pt-2 text-xs font-semibold">VMs of {group.name}, in the order they replicate</h3>
      <table className="w-full text-[13px]" aria-label={`VMs of ${group.name}`}>
        <thead className="text-left text-xs text-slate-500">
          <tr>
            <th className="px-3 py-1 font-medium">#</th>
            <th className="px-3 py-1 font-medium">VM</th>
            <th className="px-3 py-1 font-medium">Status</th>
            <th className="px-3 py-1 font-medium">Scheduled</th>
            <th className="px-3 py-1" />
          </tr>
        </thead>
        <tbody>
          {list.map((m, i) => (
            <tr key={m.id} className="border-t border-slate-100 dark:border-slate-800">
              <td className="px-3 py-1 tabular-nums text-slate-500">{i + 1}</td>
              <td className="px-3 py-1 font-medium">{m.vm_name}</td>
              <td className="px-3 py-1">
                <StatusBadge status={m.current_status} />
              </td>
              <td className="px-3 py-1">{m.enabled ? 'yes' : 'disabled'}</td>
              <td className="space-x-1 px-3 py-1 text-right">
                {canAct ? (
                  <>
                    <Button
                      variant="ghost"
                      aria-label={`Move ${m.vm_name} up`}
                      disabled={i === 0}
                      onClick={() => move(i, -1)}
                    >
                      Up
                    </Button>
                    <Button
                      variant="ghost"
                      aria-label={`Move ${m.vm_name} down`}
                      disabled={i === list.length - 1}
                      onClick={() => move(i, 1)}
                    >
                      Down
                    </Button>
                    <Button variant="ghost" onClick={() => change.mutate(() => patch(m, { enabled: !m.enabled }))}>
                      {m.enabled ? 'Disable' : 'Enable'}
                    </Button>
                    <Button
                      variant="ghost"
                      aria-label={`Remove ${m.vm_name}`}
                      onClick={() =>
                        change.mutate(() =>
                          api.ops.removeMachineGroupMember({ path: { id: group.id, contextId: m.vm_context_id } }),
                        )
                      }
                    >
                      Remove
                    </Button>
                  </>
                ) : null}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {canAct ? (
        <div className="flex items-end gap-2 px-3 py-2">
          <SelectField
            label={`Add a VM to ${group.name}`}
            options={candidates.map((v) => ({ value: v.context_id, label: v.vm_name }))}
            placeholder={candidates.length === 0 ? 'Every managed VM is in this group' : 'Choose a VM...'}
            value={adding}
            onChange={(e) => setAdding(e.target.value)}
            className="w-64"
          />
          <Button
            disabled={adding === ''}
            onClick={() =>
              change.mutate(async () => {
                await api.ops.addMachineGroupMember({ path: { id: group.id }, body: { vm_context_id: adding } });
                setAdding('');
              })
            }
          >
            Add VM
          </Button>
        </div>
      ) : null}
      <InlineError error={change.error} />
    </div>
  );
}

export function MachineGroupsCard({ schedules }: { schedules: Schedule[] }) {
  const queryClient = useQueryClient();
  const canAct = useCanAct();
  const groups = useGroups();
  const [selected, setSelected] = useState<string | null>(null);
  const reorder = useMutation({
    mutationFn: async ({ index, delta }: { index: number; delta: -1 | 1 }) => {
      for (const p of reorderedPriorities(groups.data ?? [], index, delta))
        await api.ops.updateMachineGroup({ path: { id: p.id }, body: { priority: p.priority } });
    },
    onSuccess: () => queryClient.invalidateQueries({ queryKey: SCHEDULER_KEY }),
  });
  const list = groups.data ?? [];
  const chosen = list.find((g) => g.id === selected);
  return (
    <Card title="Machine groups (run in this order)">
      <table className="w-full text-[13px]" aria-label="Machine groups">
        <thead className="text-left text-xs text-slate-500">
          <tr>
            <th className="px-3 py-1.5 font-medium">#</th>
            <th className="px-3 py-1.5 font-medium">Group</th>
            <th className="px-3 py-1.5 font-medium">Schedule</th>
            <th className="px-3 py-1.5 font-medium">Max VMs at once</th>
            <th className="px-3 py-1.5 font-medium">VMs</th>
            <th className="px-3 py-1.5" />
          </tr>
        </thead>
        <tbody>
          {list.map((g, i) => (
            <tr
              key={g.id}
              className={`border-t border-slate-200 dark:border-slate-800 ${g.id === selected ? 'bg-sky-50 dark:bg-sky-950/40' : ''}`}
            >
              <td className="px-3 py-1.5 tabular-nums text-slate-500">{i + 1}</td>
              <td className="px-3 py-1.5 font-medium">{g.name}</td>
              <td className="px-3 py-1.5">{g.schedule_name ?? '-'}</td>
              <td className="px-3 py-1.5 tabular-nums">{g.max_concurrent_vms}</td>
              <td className="px-3 py-1.5 tabular-nums">{g.member_count}</td>
              <td className="space-x-1 px-3 py-1.5 text-right">
                {canAct ? (
                  <>
                    <Button
                      variant="ghost"
                      aria-label={`Move group ${g.name} up`}
                      disabled={i === 0}
                      onClick={() => reorder.mutate({ index: i, delta: -1 })}
                    >
                      Up
                    </Button>
                    <Button
                      variant="ghost"
                      aria-label={`Move group ${g.name} down`}
                      disabled={i === list.length - 1}
                      onClick={() => reorder.mutate({ index: i, delta: 1 })}
                    >
                      Down
                    </Button>
                  </>
                ) : null}
                <Button
                  onClick={() => setSelected(g.id === selected ? null : g.id)}
                  aria-label={`VMs of group ${g.name}`}
                >
                  {g.id === selected ? 'Close' : 'VMs'}
                </Button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <InlineError error={reorder.error} />
      {chosen !== undefined ? <Members group={chosen} /> : null}
      {canAct ? <NewGroupRow schedules={schedules} /> : null}
    </Card>
  );
}
