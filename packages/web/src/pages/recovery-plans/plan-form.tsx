// Create or edit a recovery plan: ordered stages, each with its machine groups or VMs in order and what the
// next stage waits for (docs/recovery-plans.md). Saving replaces every stage of the plan.
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api } from '../../api/client';
import { Button, InlineError, Modal, SelectField, TextField } from '../../components/ui';
import { PLANS_KEY, useGroupsAndVms, type RecoveryPlan } from './recovery-plans.api';

type Condition = 'completed' | 'running' | 'delay';
interface Member {
  type: 'group' | 'vm';
  id: string;
  name: string;
}
interface Stage {
  name: string;
  wait_condition: Condition;
  wait_seconds: number;
  members: Member[];
}

const CONDITIONS = [
  { value: 'completed', label: 'Failovers completed' },
  { value: 'running', label: 'Target VMs Running (up to the seconds)' },
  { value: 'delay', label: 'Completed, then wait the seconds' },
];

function move<T>(list: T[], from: number, to: number): T[] {
  if (to < 0 || to >= list.length) return list;
  const copy = [...list];
  const [item] = copy.splice(from, 1);
  if (item !== undefined) copy.splice(to, 0, item);
  return copy;
}

function StageEditor({
  stage,
  index,
  count,
  onChange,
  onMove,
  onRemove,
}: {
  stage: Stage;
  index: number;
  count: number;
  onChange: (s: Stage) => void;
  onMove: (to: number) => void;
  onRemove: () => void;
}) {
  const { groups, vms } = useGroupsAndVms();
  const [pick, setPick] = useState('');
  const options = [
    ...groups.map((g) => ({ value: `group:${g.id}`, label: `Group ${g.name}` })),
    ...vms.map((v) => ({ value: `vm:${v.context_id}`, label: v.vm_name })),
  ].filter((o) => !stage.members.some((m) => `${m.type}:${m.id}` === o.value));
  const add = () => {
    const [type, ...rest] = pick.split(':');
    const id = rest.join(':');
    const name =
      type === 'group' ? groups.find((g) => g.id === id)?.name : vms.find((v) => v.context_id === id)?.vm_name;
    if ((type !== 'group' && type !== 'vm') || name === undefined) return;
    onChange({ ...stage, members: [...stage.members, { type, id, name }] });
    setPick('');
  };
  const label = `Stage ${index + 1}`;
  return (
    <fieldset className="space-y-2 rounded border border-slate-200 p-2 dark:border-slate-800" aria-label={label}>
      <div className="flex items-end gap-2">
        <span className="pb-1 text-xs font-semibold text-slate-500">{index + 1}.</span>
        <TextField
          className="flex-1"
          label={`${label} name`}
          value={stage.name}
          onChange={(e) => onChange({ ...stage, name: e.target.value })}
        />
        <SelectField
          className="w-64"
          label={`${label}: next stage waits for`}
          options={CONDITIONS}
          value={stage.wait_condition}
          onChange={(e) => onChange({ ...stage, wait_condition: e.target.value as Condition })}
        />
        <TextField
          className="w-24"
          label={`${label} seconds`}
          type="number"
          min={0}
          value={String(stage.wait_seconds)}
          onChange={(e) => onChange({ ...stage, wait_seconds: Number(e.target.value) })}
        />
      </div>
      <ol className="space-y-1 text-[13px]" aria-label={`Members of ${label}`}>
        {stage.members.map((m, i) => (
          <li key={`${m.type}:${m.id}`} className="flex items-center gap-2">
            <span className="w-12 text-xs text-slate-500">{m.type === 'group' ? 'group' : 'VM'}</span>
            <span className="flex-1 font-medium">{m.name}</span>
            <Button
              variant="ghost"
              aria-label={`Move ${m.name} up`}
              onClick={() => onChange({ ...stage, members: move(stage.members, i, i - 1) })}
            >
              Up
            </Button>
            <Button
              variant="ghost"
              aria-label={`Remove ${m.name}`}
              onClick={() => onChange({ ...stage, members: stage.members.filter((_, j) => j !== i) })}
            >
              Remove
            </Button>
          </li>
        ))}
      </ol>
      <div className="flex items-end gap-2">
        <SelectField
          className="flex-1"
          label={`Add to ${label}`}
          placeholder="A machine group or a VM"
          options={options}
          value={pick}
          onChange={(e) => setPick(e.target.value)}
        />
        <Button onClick={add} disabled={pick === ''} aria-label={`Add member to ${label}`}>
          Add
        </Button>
        <Button variant="ghost" onClick={() => onMove(index - 1)} disabled={index === 0}>
          Stage up
        </Button>
        <Button variant="ghost" onClick={() => onMove(index + 1)} disabled={index === count - 1}>
          Stage down
        </Button>
        <Button variant="ghost" onClick={onRemove} aria-label={`Remove ${label}`}>
          Remove stage
        </Button>
      </div>
    </fieldset>
  );
}

const emptyStage = (n: number): Stage => ({
  name: `stage ${n}`,
  wait_condition: 'completed',
  wait_seconds: 0,
  members: [],
});

export function PlanForm({ plan, onClose }: { plan?: RecoveryPlan; onClose: () => void }) {
  const queryClient = useQueryClient();
  const [name, setName] = useState(plan?.name ?? '');
  const [description, setDescription] = useState(plan?.description ?? '');
  const [stages, setStages] = useState<Stage[]>(
    plan?.stages.map((s) => ({
      name: s.name,
      wait_condition: s.wait_condition as Condition,
      wait_seconds: s.wait_seconds,
      members: s.members,
    })) ?? [emptyStage(1)],
  );
  const save = useMutation({
    mutationFn: () => {
      const body = {
        name,
        description: description === '' ? null : description,
        stages: stages.map((s) => ({
          name: s.name,
          wait_condition: s.wait_condition,
          wait_seconds: s.wait_seconds,
          members: s.members.map((m) => (m.type === 'group' ? { group_id: m.id } : { vm_context_id: m.id })),
        })),
      };
      return plan === undefined
        ? api.ops.createRecoveryPlan({ body })
        : api.ops.updateRecoveryPlan({ path: { id: plan.id }, body });
    },
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: PLANS_KEY });
      onClose();
    },
  });
  return (
    <Modal
      title={plan === undefined ? 'New recovery plan' : `Edit ${plan.name}`}
      onClose={onClose}
      wide
      footer={
        <>
          <Button onClick={onClose}>Cancel</Button>
          <Button variant="primary" onClick={() => save.mutate()} disabled={save.isPending || name === ''}>
            Save plan
          </Button>
        </>
      }
    >
      <TextField label="Plan name" value={name} onChange={(e) => setName(e.target.value)} />
      <TextField label="Description" value={description} onChange={(e) => setDescription(e.target.value)} />
      {stages.map((stage, i) => (
        <StageEditor
          key={i}
          stage={stage}
          index={i}
          count={stages.length}
          onChange={(s) => setStages(stages.map((old, j) => (j === i ? s : old)))}
          onMove={(to) => setStages(move(stages, i, to))}
          onRemove={() => setStages(stages.filter((_, j) => j !== i))}
        />
      ))}
      <Button onClick={() => setStages([...stages, emptyStage(stages.length + 1)])}>Add stage</Button>
      <InlineError error={save.error} />
    </Modal>
  );
}
