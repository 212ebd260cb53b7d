import { createRootRoute, createRoute, createRouter, redirect } from '@tanstack/react-router';
import { Layout } from './components/layout';
import { EmptyState } from './components/ui';
import { DiscoveryPage } from './pages/discovery.page';
import { JobDetailPage } from './pages/job-detail.page';
import { JobsPage } from './pages/jobs.page';
import { NetworkMappingPage } from './pages/network-mapping/network-mapping.page';
import { RecoveryPlansPage } from './pages/recovery-plans/recovery-plans.page';
import { SchedulesPage } from './pages/schedules/schedules.page';
import { SettingsPage, SETTINGS_TABS } from './pages/settings/settings.page';
import { SetupPage } from './pages/setup/setup.page';
import type { SettingsTab } from './pages/settings/settings.page';
import { VmsPage } from './pages/vms.page';

const rootRoute = createRootRoute({
  component: Layout,
  notFoundComponent: () => <EmptyState title="Page not found">This address is not a page of the dashboard.</EmptyState>,
});

const indexRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/',
  beforeLoad: () => {
    // eslint-disable-next-line @typescript-eslint/only-throw-error -- TanStack Router's redirect is thrown by design
    throw redirect({ to: '/vms' });
  },
});

const vmsRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/vms',
  validateSearch: (s: Record<string, unknown>): { ctx?: string } => (typeof s.ctx === 'string' ? { ctx: s.ctx } : {}),
  component: VmsPage,
});

const discoveryRoute = createRoute({ getParentRoute: () => rootRoute, path: '/discovery', component: DiscoveryPage });
const networkMappingRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/network-mapping',
  component: NetworkMappingPage,
});
const schedulesRoute = createRoute({ getParentRoute: () => rootRoute, path: '/schedules', component: SchedulesPage });
const recoveryPlansRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/recovery-plans',
  component: RecoveryPlansPage,
});
const jobsRoute = createRoute({ getParentRoute: () => rootRoute, path: '/jobs', component: JobsPage });
const jobDetailRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/jobs/$jobId',
  component: JobDetailPage,
});

const settingsRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/settings',
  validateSearch: (s: Record<string, unknown>): { tab?: SettingsTab } =>
    SETTINGS_TABS.some((t) => t.id === s.tab) ? { tab: s.tab as SettingsTab } : {},
  component: SettingsPage,
});

const setupRoute = createRoute({ getParentRoute: () => rootRoute, path: '/setup', component: SetupPage });

const routeTree = rootRoute.addChildren([
  indexRoute,
  vmsRoute,
  discoveryRoute,
  networkMappingRoute,
  schedulesRoute,
  recoveryPlansRoute,
  jobsRoute,
  jobDetailRoute,
  settingsRoute,
  setupRoute,
]);

export const router = createRouter({ routeTree, defaultPreload: false });

declare module '@tanstack/react-router' {
  interface Register {
    router: typeof router;
  }
}
