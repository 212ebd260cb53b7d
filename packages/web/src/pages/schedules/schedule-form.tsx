// Create or edit a schedule: cron with seconds and a time zone, type, limits, retries, catch-up and target RPO.
// The server validates the cron expression and the zone and names the field it rejects.
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api } from '../../api/client';
import { Button, CheckboxField, InlineError, Modal, SelectField, TextField } from '../../components/ui';
import { SCHEDULER_KEY, type Schedule } from './schedules.api';

const PRESETS = [
  { value: '*/30 * * * * *', label: 'Every 30 seconds' },
  { value: '0 */15 * * * *', label: 'Every 15 minutes' },
  { value: '0 0 * * * *', label: 'Every hour' },
  { value: '0 0 2 * * *', label: 'Every night at 02:00' },
];

const TYPES = [
  { value: 'auto', label: 'Auto (full first, then incrementals)' },
  { value: 'incremental', label: 'Incremental only' },
  { value: 'initial', label: 'Initial copies only' },
];

const CATCH_UP = [
  { value: 'skip', label: 'Skip missed runs (record them)' },
  { value: 'run_once', label: 'Run once for all missed runs' },
];

function whole(value: string): number | undefined {
  return value.trim() === '' ? undefined : Number(value);
}

export function ScheduleForm({ schedule, onClose }: { schedule?: Schedule; onClose: () => void }) {
  const queryClient = useQueryClient();
  const [name, setName] = useState(schedule?.name ?? '');
  const [cron, setCron] = useState(schedule?.cron_expression ?? '0 */15 * * * *');
  const [timezone, setTimezone] = useState(schedule?.timezone ?? 'UTC');
  const [type, setType] = useState<Schedule['replication_type']>(schedule?.replication_type ?? 'auto');
  const [maxJobs, setMaxJobs] = useState(String(schedule?.max_concurrent_jobs ?? 5));
  const [retries, setRetries] = useState(String(schedule?.retry_attempts ?? 0));
  const [retryDelay, setRetryDelay] = useState(String(schedule?.retry_delay ?? 300));
  const [skipIfRunning, setSkipIfRunning] = useState(schedule?.skip_if_running ?? false);
  const [catchUp, setCatchUp] = useState<Schedule['catch_up_policy']>(schedule?.catch_up_policy ?? 'skip');
  const [targetRpo, setTargetRpo] = useState(String(schedule?.target_rpo_seconds ?? ''));
  const save = useMutation({
    mutationFn: async () => {
      const body = {
        name,
        cron_expression: cron,
        timezone,
        replication_type: type,
        max_concurrent_jobs: whole(maxJobs),
        retry_attempts: whole(retries),
        retry_delay_seconds: whole(retryDelay),
        skip_if_running: skipIfRunning,
        catch_up_policy: catchUp,
        target_rpo_seconds: whole(targetRpo) ?? null,
      };
      if (schedule === undefined) return api.ops.createSchedule({ body });
      return api.ops.updateSchedule({ path: { id: schedule.id }, body });
    },
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: SCHEDULER_KEY });
      onClose();
    },
  });
  return (
    <Modal
      title={schedule === undefined ? 'New schedule' : `Edit ${schedule.name}`}
      onClose={onClose}
      wide
      footer={
        <>
          <Button onClick={onClose}>Cancel</Button>
          <Button variant="primary" disabled={save.isPending || name === ''} onClick={() => save.mutate()}>
            {save.isPending ? 'Saving...' : 'Save schedule'}
          </Button>
        </>
      }
    >
      <div className="grid grid-cols-2 gap-3">
        <TextField label="Name" value={name} onChange={(e) => setName(e.target.value)} />
        <TextField
          label="Time zone"
          value={timezone}
          onChange={(e) => setTimezone(e.target.value)}
          hint="IANA zone, e.g. Europe/Berlin"
        />
        <TextField
          label="Cron expression"
          value={cron}
          onChange={(e) => setCron(e.target.value)}
          hint="Six fields, seconds first"
        />
        <SelectField
          label="Preset"
          options={PRESETS}
          placeholder="Choose a preset..."
          value=""
          onChange={(e) => e.target.value !== '' && setCron(e.target.value)}
        />
        <SelectField
          label="Replication type"
          options={TYPES}
          value={type}
          onChange={(e) => setType(e.target.value as Schedule['replication_type'])}
        />
        <SelectField
          label="After downtime"
          options={CATCH_UP}
          value={catchUp}
          onChange={(e) => setCatchUp(e.target.value as Schedule['catch_up_policy'])}
        />
        <TextField
          label="Max concurrent jobs"
          type="number"
          min={1}
          value={maxJobs}
          onChange={(e) => setMaxJobs(e.target.value)}
        />
        <TextField
          label="Target RPO (seconds)"
          type="number"
          min={1}
          value={targetRpo}
          onChange={(e) => setTargetRpo(e.target.value)}
          hint="Empty: twice the interval"
        />
        <TextField label="Retries" type="number" min={0} value={retries} onChange={(e) => setRetries(e.target.value)} />
        <TextField
          label="Retry delay (seconds)"
          type="number"
          min={0}
          value={retryDelay}
          onChange={(e) => setRetryDelay(e.target.value)}
        />
      </div>
      <CheckboxField
        label="Skip a run while the previous run still has jobs"
        checked={skipIfRunning}
        onChange={setSkipIfRunning}
      />
      <InlineError error={save.error} />
    </Modal>
  );
}
