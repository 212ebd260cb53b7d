import { Link, Outlet } from '@tanstack/react-router';
import { useState } from 'react';
import { useLogout, useSession } from '../auth/session';
import { useEventStream } from '../events/event-stream';
import { SetupBanner } from './setup-banner';
import { Button } from './ui';

const NAV = [
  { to: '/vms', label: 'Virtual Machines' },
  { to: '/discovery', label: 'Discovery' },
  { to: '/network-mapping', label: 'Network Mapping' },
  { to: '/schedules', label: 'Schedules' },
  { to: '/recovery-plans', label: 'Recovery plans' },
  { to: '/jobs', label: 'Jobs' },
  { to: '/settings', label: 'Settings' },
] as const;

function useTheme(): [boolean, () => void] {
  const [dark, setDark] = useState(() => document.documentElement.classList.contains('dark'));
  const toggle = () => {
    const next = !dark;
    document.documentElement.classList.toggle('dark', next);
    localStorage.setItem('mk-theme', next ? 'dark' : 'light');
    setDark(next);
  };
  return [dark, toggle];
}

export function Layout() {
  const user = useSession();
  const logout = useLogout();
  const { connected } = useEventStream();
  const [dark, toggleTheme] = useTheme();
  return (
    <div className="flex h-full">
      <nav
        aria-label="Main"
        className="flex w-48 shrink-0 flex-col border-r border-slate-200 bg-slate-100 dark:border-slate-800 dark:bg-slate-900/60"
      >
        <div className="px-3 py-3">
          <span className="text-sm font-semibold tracking-tight">MigrateKit</span>
          <p className="text-[11px] text-slate-500">vSphere to CloudStack</p>
        </div>
        <ul className="flex-1 space-y-0.5 px-2">
          {NAV.map((item) => (
            <li key={item.to}>
              <Link
                to={item.to}
                className="block rounded px-2 py-1.5 text-[13px] text-slate-700 hover:bg-slate-200 dark:text-slate-300 dark:hover:bg-slate-800"
                activeProps={{
                  className: 'bg-white font-medium text-sky-700 shadow-sm dark:bg-slate-800 dark:text-sky-300',
                }}
              >
                {item.label}
              </Link>
            </li>
          ))}
        </ul>
        <div className="space-y-2 border-t border-slate-200 p-3 text-xs dark:border-slate-800">
          <p className="flex items-center gap-1.5 text-slate-500" title="Live updates over Server-Sent Events">
            <span className={`h-2 w-2 rounded-full ${connected ? 'bg-emerald-500' : 'bg-slate-400'}`} />
            {connected ? 'Live' : 'Connecting'}
          </p>
          <p className="truncate">
            {user.username} <span className="text-slate-500">({user.role})</span>
          </p>
          <div className="flex gap-1">
            <Button
              variant="ghost"
              onClick={toggleTheme}
              aria-label={dark ? 'Switch to light theme' : 'Switch to dark theme'}
            >
              {dark ? 'Light' : 'Dark'}
            </Button>
            <Button variant="ghost" onClick={() => logout.mutate()}>
              Sign out
            </Button>
          </div>
        </div>
      </nav>
      <main className="flex min-w-0 flex-1 flex-col overflow-hidden">
        <SetupBanner />
        <Outlet />
      </main>
    </div>
  );
}
