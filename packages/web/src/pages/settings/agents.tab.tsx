import { useMutation } from '@tanstack/react-query';
import { useAgents } from '../../api/queries';
import { api } from '../../api/client';
import { useIsAdmin } from '../../auth/session';
import { StatusBadge } from '../../components/status-badge';
import { Button, Card, EmptyState, ErrorState, InlineError, Loading } from '../../components/ui';
import { formatAge, formatDateTime } from '../../lib/format';

interface PairingToken {
  token: string;
  expires_at?: string;
}

export function AgentsTab() {
  const isAdmin = useIsAdmin();
  const agents = useAgents();
  const pairing = useMutation({
    mutationFn: (): Promise<PairingToken> => api.ops.postAgentsPairingTokens({ body: {} }),
  });
  return (
    <div className="space-y-3">
      <Card
        title="Agents"
        actions={
          isAdmin ? (
            <Button variant="primary" onClick={() => pairing.mutate()} disabled={pairing.isPending}>
              New pairing token
            </Button>
          ) : null
        }
      >
        {pairing.data ? (
          <div
            role="status"
            className="mb-3 rounded border border-sky-200 bg-sky-50 p-2 text-xs dark:border-sky-900 dark:bg-sky-950/40"
          >
            <p className="font-medium">
              Pairing token: shown once, usable once, expires {formatDateTime(pairing.data.expires_at)}. Give it to the
              agent being installed together with this server&apos;s URL, {window.location.origin}.
            </p>
            <code className="mt-1 block font-mono break-all select-all">{pairing.data.token}</code>
          </div>
        ) : null}
        <InlineError error={pairing.error} />
        {agents.isPending ? (
          <Loading what="agents" />
        ) : agents.isError ? (
          <ErrorState error={agents.error} what="agents" onRetry={() => void agents.refetch()} />
        ) : agents.data.length === 0 ? (
          <EmptyState title="No agent paired yet">
            An agent runs near vCenter and connects out to this server. Create a pairing token to add one.
          </EmptyState>
        ) : (
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
                  <td className="text-xs">
                    {Array.isArray(a.scope) ? a.scope.join(', ') : (a.scope ?? 'all vCenters')}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Card>
    </div>
  );
}
