// A VM's RPO (docs/scheduler.md#rpo): the age of its last good sync against its schedule's target, green within
// it, amber when its schedule's latest run was blocked, red once breached (with the reason on hover).
import type { VmContext } from '../../api/models';

type Rpo = NonNullable<VmContext['rpo']>;

const TONE: Record<Rpo['state'], string> = {
  ok: 'bg-emerald-100 text-emerald-800 dark:bg-emerald-950 dark:text-emerald-300',
  warning: 'bg-amber-100 text-amber-900 dark:bg-amber-950 dark:text-amber-300',
  breached: 'bg-red-100 text-red-800 dark:bg-red-950 dark:text-red-300',
  pending: 'bg-sky-100 text-sky-800 dark:bg-sky-950 dark:text-sky-300',
  unprotected: 'bg-slate-200 text-slate-700 dark:bg-slate-800 dark:text-slate-300',
};

export function formatSeconds(seconds: number | null): string {
  if (seconds === null) return '-';
  if (seconds < 120) return `${Math.round(seconds)} s`;
  if (seconds < 7200) return `${Math.round(seconds / 60)} min`;
  if (seconds < 172_800) return `${Math.round(seconds / 3600)} h`;
  return `${Math.round(seconds / 86_400)} d`;
}

function label(rpo: Rpo): string {
  switch (rpo.state) {
    case 'unprotected':
      return 'no schedule';
    case 'pending':
      return 'first copy';
    case 'breached':
      return rpo.age_seconds === null ? 'never synced' : `breached ${formatSeconds(rpo.age_seconds)}`;
    default:
      return `${formatSeconds(rpo.age_seconds)} / ${formatSeconds(rpo.target_seconds)}`;
  }
}

export function RpoBadge({ rpo }: { rpo: VmContext['rpo'] }) {
  if (rpo === null || rpo === undefined) return <span className="text-slate-400">-</span>;
  const title = [
    rpo.schedule_name === null ? null : `Schedule ${rpo.schedule_name}`,
    rpo.target_seconds === null ? null : `target ${formatSeconds(rpo.target_seconds)}`,
    rpo.reason,
  ]
    .filter((part) => part !== null)
    .join(' - ');
  return (
    <span
      className={`inline-flex items-center rounded px-1.5 py-px text-[11px] font-medium whitespace-nowrap ${TONE[rpo.state]}`}
      title={title}
      data-rpo-state={rpo.state}
    >
      {label(rpo)}
    </span>
  );
}
