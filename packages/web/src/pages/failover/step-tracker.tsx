// The live step tracker of a workflow job (docs/workflows.md): every step with its state in words and a symbol
// (never colour alone), its duration, its output (ids it created) and its log lines; a compensation is its own
// row ("Undo: <step>"), so a rollback shows step by step instead of jumping from 0% to 100%.
import { useState } from 'react';
import type { JobDetail, JobStep, LogEvent } from '../../api/models';
import { StatusBadge } from '../../components/status-badge';
import { formatDateTime, formatDuration } from '../../lib/format';

const COMPENSATION_PREFIX = 'compensate: ';

const SYMBOL: Record<string, string> = {
  completed: '\u2713',
  failed: '\u2717',
  running: '\u25B6',
  skipped: '\u2013',
};

export function isCompensation(step: Pick<JobStep, 'name' | 'kind'>): boolean {
  return step.kind === 'compensate' || step.name.startsWith(COMPENSATION_PREFIX);
}

/** The step a compensation undoes, or the step's own name. */
export function stepTitle(step: Pick<JobStep, 'name' | 'kind'>): string {
  return isCompensation(step) ? `Undo: ${step.name.replace(COMPENSATION_PREFIX, '')}` : step.name;
}

function OutputValue({ value }: { value: unknown }) {
  if (value === null || value === undefined) return <>-</>;
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean')
    return <span className="font-mono">{String(value)}</span>;
  return <span className="font-mono break-all">{JSON.stringify(value)}</span>;
}

/** A step's output as "key: value" lines (created VM id, snapshot ids per volume, ...). */
export function StepOutput({ output }: { output: unknown }) {
  if (output === null || output === undefined) return null;
  if (typeof output !== 'object' || Array.isArray(output))
    return (
      <p className="text-slate-600 dark:text-slate-400">
        Output: <OutputValue value={output} />
      </p>
    );
  const entries = Object.entries(output as Record<string, unknown>);
  if (entries.length === 0) return null;
  return (
    <dl className="grid grid-cols-[max-content_1fr] gap-x-2 text-slate-600 dark:text-slate-400">
      {entries.map(([k, v]) => (
        <div key={k} className="contents">
          <dt>{k}</dt>
          <dd className="min-w-0">
            <OutputValue value={v} />
          </dd>
        </div>
      ))}
    </dl>
  );
}

function StepRow({ step, index, logs, compact }: { step: JobStep; index: number; logs: LogEvent[]; compact: boolean }) {
  const [open, setOpen] = useState(false);
  const compensation = isCompensation(step);
  const hasDetails = logs.length > 0 || (step.output !== null && step.output !== undefined);
  const detailsId = `step-details-${step.id}`;
  return (
    <li
      className={`py-1.5 text-xs ${compensation ? 'border-l-2 border-amber-400 pl-2' : ''}`}
      data-testid="tracker-step"
      data-step-status={step.status}
    >
      <div className="flex items-start gap-2">
        <span className="w-5 shrink-0 text-slate-400 tabular-nums">{index + 1}</span>
        <span aria-hidden="true" className="w-3 shrink-0 text-center">
          {step.status === 'running' ? (
            <span className="inline-block h-2.5 w-2.5 animate-spin rounded-full border-2 border-slate-300 border-t-sky-600" />
          ) : (
            (SYMBOL[step.status] ?? '\u00B7')
          )}
        </span>
        <div className="min-w-0 flex-1">
          <p className="font-medium">
            {stepTitle(step)}
            {compensation ? (
              <span className="ml-1.5 text-[11px] font-normal text-slate-500">(compensation)</span>
            ) : null}
          </p>
          {step.error_message ? (
            <p className="mt-0.5 font-mono break-words text-red-700 dark:text-red-400">
              {step.error_code ? `${step.error_code}: ` : ''}
              {step.error_message}
            </p>
          ) : null}
        </div>
        <StatusBadge status={step.status} />
        {compact ? null : <span className="w-40 shrink-0 text-slate-500">{formatDateTime(step.started_at)}</span>}
        <span className="w-14 shrink-0 text-right tabular-nums" title="Duration">
          {formatDuration(step.started_at, step.completed_at)}
        </span>
      </div>
      {hasDetails ? (
        <div className="mt-0.5 ml-10">
          <button
            type="button"
            aria-expanded={open}
            aria-controls={detailsId}
            onClick={() => setOpen((o) => !o)}
            className="text-[11px] text-sky-700 hover:underline dark:text-sky-400"
          >
            {open ? 'Hide' : 'Show'} output and {logs.length} log line{logs.length === 1 ? '' : 's'}
            <span className="sr-only"> of {stepTitle(step)}</span>
          </button>
          {open ? (
            <div id={detailsId} className="mt-1 space-y-1">
              <StepOutput output={step.output} />
              {logs.length > 0 ? (
                <ul className="rounded bg-slate-950 p-1.5 font-mono text-[11px] text-slate-200">
                  {logs.map((l) => (
                    <li key={l.id} className="break-all">
                      {l.created_at.slice(11, 19)} {l.level.toUpperCase()} {l.message}
                      {l.fields && Object.keys(l.fields).length ? ` ${JSON.stringify(l.fields)}` : ''}
                    </li>
                  ))}
                </ul>
              ) : null}
            </div>
          ) : null}
        </div>
      ) : null}
    </li>
  );
}

/** `compact` leaves out the start times (the VM panel is narrow). */
export function StepTracker({ job, logs, compact = false }: { job: JobDetail; logs: LogEvent[]; compact?: boolean }) {
  const steps = job.steps;
  const forward = steps.filter((s) => !isCompensation(s));
  const done = forward.filter((s) => s.status === 'completed').length;
  const total = job.total_steps ?? forward.length;
  const remaining = Math.max(0, total - forward.length);
  const running = steps.find((s) => s.status === 'running');
  return (
    <div>
      <p className="mb-1 text-xs text-slate-600 dark:text-slate-400" aria-live="polite" data-testid="tracker-summary">
        {done} of {total} steps done
        {running ? `; now: ${stepTitle(running)}` : ''}
        {steps.some(isCompensation) ? `; ${steps.filter(isCompensation).length} compensation step(s)` : ''}
      </p>
      {steps.length === 0 ? (
        <p className="text-xs text-slate-500">This job has no recorded step yet.</p>
      ) : (
        <ol aria-label="Steps" className="divide-y divide-slate-100 dark:divide-slate-800">
          {steps.map((s, i) => (
            <StepRow key={s.id} step={s} index={i} compact={compact} logs={logs.filter((l) => l.step === s.name)} />
          ))}
        </ol>
      )}
      {remaining > 0 && !['compensating', 'compensated', 'cleanup_required', 'failed'].includes(job.status) ? (
        <p className="mt-1 text-xs text-slate-500">
          {remaining} more step{remaining === 1 ? '' : 's'} to run.
        </p>
      ) : null}
    </div>
  );
}
