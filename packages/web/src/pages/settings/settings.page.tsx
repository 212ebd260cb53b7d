import { Link, useNavigate, useSearch } from '@tanstack/react-router';
import { PageHeader, Tabs } from '../../components/ui';
import { AgentsTab } from './agents.tab';
import { CloudStackTab } from './cloudstack.tab';
import { CredentialsTab } from './credentials.tab';
import { UsersTab } from './users.tab';

export const SETTINGS_TABS = [
  { id: 'credentials', label: 'VMware credentials' },
  { id: 'cloudstack', label: 'CloudStack' },
  { id: 'agents', label: 'Agents' },
  { id: 'users', label: 'Users and tokens' },
] as const;

export type SettingsTab = (typeof SETTINGS_TABS)[number]['id'];

export function SettingsPage() {
  const { tab = 'credentials' } = useSearch({ from: '/settings' });
  const navigate = useNavigate({ from: '/settings' });
  return (
    <>
      <PageHeader
        title="Settings"
        subtitle="Connections to vCenter and CloudStack, agents and who may do what"
        actions={
          <Link to="/setup" className="text-[13px] text-sky-700 underline dark:text-sky-300">
            Setup checklist
          </Link>
        }
      />
      <div className="bg-white dark:bg-slate-900">
        <Tabs tabs={[...SETTINGS_TABS]} value={tab} onChange={(id) => void navigate({ search: { tab: id } })} />
      </div>
      <div className="min-h-0 flex-1 overflow-auto p-3">
        {tab === 'credentials' ? <CredentialsTab /> : null}
        {tab === 'cloudstack' ? <CloudStackTab /> : null}
        {tab === 'agents' ? <AgentsTab /> : null}
        {tab === 'users' ? <UsersTab /> : null}
      </div>
    </>
  );
}
