const TONES: Record<string, string> = {
  green: 'bg-emerald-100 text-emerald-800 dark:bg-emerald-950 dark:text-emerald-300',
  blue: 'bg-sky-100 text-sky-800 dark:bg-sky-950 dark:text-sky-300',
  amber: 'bg-amber-100 text-amber-900 dark:bg-amber-950 dark:text-amber-300',
  red: 'bg-red-100 text-red-800 dark:bg-red-950 dark:text-red-300',
  violet: 'bg-violet-100 text-violet-800 dark:bg-violet-950 dark:text-violet-300',
  slate: 'bg-slate-200 text-slate-700 dark:bg-slate-800 dark:text-slate-300',
};

const STATUS_TONE: Record<string, keyof typeof TONES> = {
  discovered: 'slate',
  pending: 'slate',
  queued: 'slate',
  replicating: 'blue',
  running: 'blue',
  compensating: 'blue',
  executing: 'blue',
  in_progress: 'blue',
  ready_for_failover: 'green',
  completed: 'green',
  succeeded: 'green',
  success: 'green',
  online: 'green',
  connected: 'green',
  valid: 'green',
  configured: 'green',
  needs_setup: 'amber',
  failed_over_test: 'violet',
  failed_over_live: 'violet',
  cleanup_required: 'amber',
  paused: 'amber',
  compensated: 'amber',
  warning: 'amber',
  skipped: 'amber',
  cancelled: 'amber',
  interrupted: 'amber',
  offline: 'red',
  poweredOn: 'green',
  poweredOff: 'slate',
  suspended: 'amber',
  failed: 'red',
  error: 'red',
  invalid: 'red',
};

export function StatusBadge({ status }: { status: string | null | undefined }) {
  const s = status ?? 'unknown';
  const tone = TONES[STATUS_TONE[s] ?? 'slate'];
  return (
    <span className={`inline-flex items-center rounded px-1.5 py-px text-[11px] font-medium whitespace-nowrap ${tone}`}>
      {s.replace(/_/g, ' ')}
    </span>
  );
}
