import { statusKind, type StatusKind } from '@migratekit/core/statuses';

const TONES = {
  green: 'bg-emerald-100 text-emerald-800 dark:bg-emerald-950 dark:text-emerald-300',
  blue: 'bg-sky-100 text-sky-800 dark:bg-sky-950 dark:text-sky-300',
  amber: 'bg-amber-100 text-amber-900 dark:bg-amber-950 dark:text-amber-300',
  red: 'bg-red-100 text-red-800 dark:bg-red-950 dark:text-red-300',
  violet: 'bg-violet-100 text-violet-800 dark:bg-violet-950 dark:text-violet-300',
  slate: 'bg-slate-200 text-slate-700 dark:bg-slate-800 dark:text-slate-300',
} as const;
type Tone = keyof typeof TONES;

// Catalogue statuses (docs/statuses.md) are coloured by their kind, so a new status needs no entry here.
const KIND_TONE: Record<StatusKind, Tone> = {
  waiting: 'slate',
  active: 'blue',
  succeeded: 'green',
  attention: 'amber',
  failed: 'red',
  failed_over: 'violet',
};

// States that are not job or VM statuses: vSphere power states, agent liveness, disk sync states.
const OTHER_TONE: Record<string, Tone> = {
  online: 'green',
  // Network mapping per VM (docs/network-mapping.md).
  configured: 'green',
  needs_setup: 'amber',
  paired: 'slate',
  offline: 'red',
  poweredOn: 'green',
  poweredOff: 'slate',
  suspended: 'amber',
  synced: 'green',
  syncing: 'blue',
};

export function StatusBadge({ status }: { status: string | null }) {
  const s = status ?? 'unknown';
  const kind = statusKind(s);
  const tone = TONES[kind === undefined ? (OTHER_TONE[s] ?? 'slate') : KIND_TONE[kind]];
  return (
    <span className={`inline-flex items-center rounded px-1.5 py-px text-[11px] font-medium whitespace-nowrap ${tone}`}>
      {s.replace(/_/g, ' ')}
    </span>
  );
}
