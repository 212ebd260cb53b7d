// On a first run (no vCenter credential, no CloudStack configuration or no agent) an admin lands on the setup
// checklist once per page load, and every other page says that setup is unfinished (docs/install.md#first-run-setup).
import { Link, useLocation, useNavigate } from '@tanstack/react-router';
import { useEffect } from 'react';
import { useSetupStatus } from '../api/queries';
import { useIsAdmin } from '../auth/session';

// Once per page load: an operator who leaves the checklist is not sent back to it.
let redirectedThisLoad = false;

export function SetupBanner() {
  const isAdmin = useIsAdmin();
  const status = useSetupStatus({ enabled: isAdmin });
  const { pathname } = useLocation();
  const navigate = useNavigate();
  const firstRun = isAdmin && status.data?.first_run === true;
  useEffect(() => {
    if (!firstRun || redirectedThisLoad || pathname !== '/vms') return;
    redirectedThisLoad = true;
    void navigate({ to: '/setup' });
  }, [firstRun, pathname, navigate]);
  if (!firstRun || pathname === '/setup' || status.data === undefined) return null;
  const left = status.data.steps.filter((s) => !s.done).length;
  return (
    <div
      role="status"
      className="flex items-center gap-2 border-b border-amber-200 bg-amber-50 px-4 py-1.5 text-[13px] text-amber-900 dark:border-amber-900 dark:bg-amber-950/40 dark:text-amber-200"
    >
      Setup is not finished: {left} step(s) left.
      <Link to="/setup" className="font-medium underline">
        Open the setup checklist
      </Link>
    </div>
  );
}
