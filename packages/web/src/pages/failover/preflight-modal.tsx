// The pre-flight modal of a test or live failover: every option with its default and what it means, the
// pre-flight checks item by item for the options as they stand, and Start only once every check passes (and,
// for a live failover, once the operator typed the VM's name).
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useId, useState } from 'react';
import type { VmContextDetail } from '../../api/models';
import {
  Button,
  CheckboxField,
  InlineError,
  KeyValues,
  Loading,
  Modal,
  SelectField,
  TextField,
} from '../../components/ui';
import { formatAge } from '../../lib/format';
import {
  fetchPreflightConfig,
  startFailover,
  useServiceOfferings,
  validatePreflight,
  type FailoverOptionValues,
  type PreflightReport,
} from './failover.api';
import { CONVERTER_FAILURE, OPTION_SPECS, formatDefault, type FailoverType } from './failover-options';

const WHAT_HAPPENS: Record<FailoverType, string> = {
  test: 'The source VM keeps running. A copy starts in CloudStack on the TEST networks from the last sync; clean it up afterwards to discard what the test changed.',
  live: 'The source VM is shut down (then powered off hard after the timeout). The VM starts in CloudStack under its own name on the PRODUCTION networks. Roll back to return to vSphere.',
};

function OptionField({
  name,
  value,
  defaultValue,
  onChange,
}: {
  name: string;
  value: unknown;
  defaultValue: unknown;
  onChange: (value: unknown) => void;
}) {
  const spec = OPTION_SPECS[name];
  const offerings = useServiceOfferings(spec?.control === 'offering');
  const hintId = useId();
  const label = spec?.label ?? name.replace(/_/g, ' ');
  const hint = `${spec?.means ?? ''} Default: ${formatDefault(name, defaultValue)}.`.trim();
  switch (spec?.control) {
    case 'checkbox':
      return (
        <div aria-describedby={hintId}>
          <CheckboxField label={label} checked={value === true} onChange={onChange} />
          <p id={hintId} className="mt-0.5 ml-5 text-[11px] text-slate-500">
            {hint}
          </p>
        </div>
      );
    case 'seconds':
    case 'minutes': {
      const unit = spec.control === 'seconds' ? 1000 : 60_000;
      return (
        <TextField
          label={label}
          hint={hint}
          type="number"
          min={0}
          value={typeof value === 'number' ? String(value / unit) : ''}
          onChange={(e) => onChange(e.target.value === '' ? null : Number(e.target.value) * unit)}
        />
      );
    }
    case 'offering':
      return (
        <div>
          <SelectField
            label={label}
            placeholder="Sized from the source VM"
            options={(offerings.data ?? []).map((o) => ({ value: o.id, label: o.name }))}
            value={typeof value === 'string' ? value : ''}
            onChange={(e) => onChange(e.target.value === '' ? null : e.target.value)}
          />
          <p className="mt-0.5 text-[11px] text-slate-500">{hint}</p>
        </div>
      );
    default:
      return (
        <TextField
          label={label}
          hint={hint}
          value={typeof value === 'string' ? value : ''}
          onChange={(e) => onChange(e.target.value === '' ? null : e.target.value)}
        />
      );
  }
}

/** The checks item by item: passed or blocking in words and a symbol, never colour alone. */
export function PreflightChecks({ report, stale }: { report: PreflightReport; stale: boolean }) {
  return (
    <section aria-label="Pre-flight checks" aria-busy={stale}>
      <p className="mb-1 text-xs font-semibold" role="status">
        {stale
          ? 'Checking...'
          : report.ok
            ? `All ${report.checks.length} checks passed`
            : `${report.checks.filter((c) => !c.ok).length} of ${report.checks.length} checks block the failover`}
      </p>
      <ul className="space-y-0.5 text-xs" data-testid="preflight-checks">
        {report.checks.map((c) => (
          <li key={c.name} className="flex gap-1.5">
            <span aria-hidden="true">{c.ok ? '\u2713' : '\u2717'}</span>
            <span
              className={`w-14 shrink-0 font-medium ${c.ok ? 'text-emerald-700 dark:text-emerald-400' : 'text-red-700 dark:text-red-400'}`}
            >
              {c.ok ? 'Passed' : 'Blocks'}
            </span>
            <span className="w-28 shrink-0 text-slate-500">{c.name.replace(/_/g, ' ')}</span>
            <span className="min-w-0 break-words">{c.message}</span>
          </li>
        ))}
        {report.warnings.map((w) => (
          <li key={w} className="flex gap-1.5">
            <span aria-hidden="true">!</span>
            <span className="w-14 shrink-0 font-medium text-amber-700 dark:text-amber-400">Warning</span>
            <span className="min-w-0 break-words">{w}</span>
          </li>
        ))}
      </ul>
    </section>
  );
}

export function PreflightModal({
  vm,
  type,
  onClose,
  onStarted,
}: {
  vm: VmContextDetail;
  type: FailoverType;
  onClose: () => void;
  onStarted: (workflowJobId: string) => void;
}) {
  const qc = useQueryClient();
  const config = useQuery({
    queryKey: ['failover', 'preflight-config', type, vm.context_id],
    queryFn: () => fetchPreflightConfig(type, vm.context_id),
    staleTime: 0,
    refetchOnMount: 'always',
  });
  const [edits, setEdits] = useState<FailoverOptionValues>({});
  const [typedName, setTypedName] = useState('');
  const defaults: FailoverOptionValues = config.data?.options ?? {};
  const options: FailoverOptionValues = { ...defaults, ...edits };
  const validation = useQuery({
    queryKey: ['failover', 'validate', type, vm.context_id, options],
    queryFn: () => validatePreflight(type, vm.context_id, options),
    enabled: config.data !== undefined,
    staleTime: 0,
    placeholderData: keepPreviousData,
  });
  const start = useMutation({
    mutationFn: () => startFailover(type, vm.context_id, options),
    onSuccess: async (started) => {
      await qc.invalidateQueries({ queryKey: ['contexts'] });
      await qc.invalidateQueries({ queryKey: ['jobs'] });
      onStarted(started.workflow_job_id);
    },
  });
  const report = validation.data;
  const validated = report !== undefined && report.ok && !validation.isPlaceholderData && !validation.isFetching;
  const nameConfirmed = type === 'test' || typedName === vm.vm_name;
  const title = `${type === 'test' ? 'Test' : 'Live'} failover: ${vm.vm_name}`;
  const visibleOptions = Object.keys(defaults).filter(
    (k) => OPTION_SPECS[k]?.only !== (type === 'test' ? 'live' : 'test'),
  );
  return (
    <Modal
      wide
      title={title}
      onClose={onClose}
      footer={
        <>
          <Button onClick={onClose}>Cancel</Button>
          <Button
            variant={type === 'live' ? 'danger' : 'primary'}
            disabled={!validated || !nameConfirmed || start.isPending}
            onClick={() => start.mutate()}
          >
            {start.isPending ? 'Starting...' : `Start ${type} failover`}
          </Button>
        </>
      }
    >
      <p className="text-[13px]">{WHAT_HAPPENS[type]}</p>
      {config.isPending ? (
        <Loading what="the failover options" />
      ) : config.isError ? (
        <InlineError error={config.error} />
      ) : (
        <>
          <KeyValues
            items={[
              [
                'Target VM name',
                <span key="n" className="font-mono">
                  {config.data.target_vm_name}
                </span>,
              ],
              [
                'Last sync',
                config.data.preflight.last_sync_at ? formatAge(config.data.preflight.last_sync_at) : 'never',
              ],
              ['Source power', config.data.preflight.power_state ?? '-'],
              ['Volumes', String(config.data.preflight.volumes.length)],
              ['NICs', config.data.preflight.nics.map((n) => n.source_network_name).join(', ') || '-'],
            ]}
          />
          <fieldset className="space-y-2 rounded border border-slate-200 p-2 dark:border-slate-800">
            <legend className="px-1 text-xs font-semibold">Options</legend>
            {visibleOptions.map((k) => (
              <OptionField
                key={k}
                name={k}
                value={options[k]}
                defaultValue={defaults[k]}
                onChange={(v) => setEdits((e) => ({ ...e, [k]: v }))}
              />
            ))}
            <p className="text-[11px] text-slate-500">{CONVERTER_FAILURE[type]}</p>
          </fieldset>
          {report ? <PreflightChecks report={report} stale={!validated && validation.isFetching} /> : null}
          <InlineError error={validation.error} />
          {type === 'live' ? (
            <TextField
              label={`Type the VM name (${vm.vm_name}) to confirm the live failover`}
              value={typedName}
              autoComplete="off"
              onChange={(e) => setTypedName(e.target.value)}
            />
          ) : null}
          <InlineError error={start.error} />
        </>
      )}
    </Modal>
  );
}
