import { useAgents } from '../../api/queries';
import { StatusBadge } from '../../components/status-badge';
import { Card, EmptyState, ErrorState, Loading } from '../../components/ui';
import { formatAge, formatDateTime } from '../../lib/format';
import { PairingTokenPanel } from './pairing-token.panel';

/** The paired agents with their live status; `pollMs` refreshes the list (waiting for one to come online). */
export function AgentList({ pollMs }: { pollMs?: number }) {
  const agents = useAgents(pollMs === undefined ? {} : { pollMs });
  if (agents.isPending) return <Loading what="agents" />;
  if (agents.isError) return <ErrorState error={agents.error} what="agents" onRetry={() => void agents.refetch()} />;
  if (agents.data.length === 0)
    return (
      <EmptyState title="No agent paired yet">
        An agent runs near vCenter and connects out to this server. Create a pairing token to add one.
      </EmptyState>
    );
  return (
    <table className="data-table w-full text-[13px]">
      <thead className="text-left text-xs text-slate-500">
        <tr>
          <th className="py-1 font-medium">Name</th>
          <th className="font-medium">Status</th>
          <th className="font-medium">Version</th>
          <th className="font-medium">Last seen</th>
          <th className="font-medium">Serves</th>
        </tr>
      </thead>
      <tbody>
        {agents.data.map((a) => (
          <tr key={a.id} className="border-t border-slate-100 dark:border-slate-800">
            <td className="py-1.5 font-medium">{a.name}</td>
            <td>
              <StatusBadge status={a.status} />
            </td>
            <td>{a.version ?? '-'}</td>
            <td title={formatDateTime(a.last_seen)}>{formatAge(a.last_seen)}</td>
            <td className="text-xs">{a.scope.length > 0 ? a.scope.join(', ') : 'all vCenters'}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function AgentsTab() {
  return (
    <div className="space-y-3">
      <Card title="Pair an agent">
        <PairingTokenPanel />
      </Card>
      <Card title="Agents">
        <AgentList />
      </Card>
    </div>
  );
}
