// Whether a VM can fail over now, per type, and for each thing that blocks it what to do, with the control that
// does it (map networks, replicate now) or a link to the page that does.
import { useQuery } from '@tanstack/react-query';
import { Link } from '@tanstack/react-router';
import type { ReactNode } from 'react';
import type { VmContextDetail } from '../../api/models';
import { Button, ErrorState, Loading } from '../../components/ui';
import { formatAge } from '../../lib/format';
import { fetchReadiness, type ReadinessItem } from './failover.api';

export interface ReadinessActions {
  mapNetworks: () => void;
  replicate: (() => void) | undefined;
}

function remedy(item: ReadinessItem, vm: VmContextDetail, actions: ReadinessActions): ReactNode {
  const replicate = actions.replicate ? (
    <Button className="h-6 text-xs" onClick={actions.replicate}>
      Replicate now
    </Button>
  ) : null;
  switch (item.check) {
    case 'networks':
      return (
        <>
          Map each source network to a production and a test network.{' '}
          <Button className="h-6 text-xs" onClick={actions.mapNetworks}>
            Map networks
          </Button>
        </>
      );
    case 'last_sync':
      return <>Replicate to bring the copy up to date. {replicate}</>;
    case 'volumes':
      return <>A replication creates the CloudStack volumes and attaches them to the server. {replicate}</>;
    case 'agent':
      return (
        <>
          Start or pair an agent:{' '}
          <Link to="/settings" search={{ tab: 'agents' }} className="text-sky-700 underline dark:text-sky-400">
            Settings, Agents
          </Link>
          .
        </>
      );
    case 'no_active_job':
      return (
        <>
          Wait for it to end, or cancel it on the{' '}
          <Link to="/jobs" className="text-sky-700 underline dark:text-sky-400">
            Jobs
          </Link>{' '}
          page.
        </>
      );
    case 'context_status':
      if (vm.current_status === 'failed_over_test') return <>Clean up the test failover first (Actions above).</>;
      if (vm.current_status === 'failed_over_live') return <>Roll back the live failover first (Actions above).</>;
      if (vm.current_status === 'replicating') return <>Wait for the replication to finish.</>;
      if (vm.current_status === 'cleanup_required') return <>Run the failed-execution cleanup (Actions above).</>;
      return <>A failover needs a completed replication. {replicate}</>;
    case 'target_name':
      return <>Rename or delete the CloudStack VM that already has this name.</>;
    case 'target_zone':
      return (
        <>
          Choose the zone and the template in{' '}
          <Link to="/settings" search={{ tab: 'cloudstack' }} className="text-sky-700 underline dark:text-sky-400">
            Settings
          </Link>{' '}
          (CloudStack); the target VM is deployed in that zone.
        </>
      );
    case 'guest_conversion':
      return (
        <>
          Fail over with the pre-flight option to skip conversion, or give the server what the converter needs (for
          Windows, the virtio-win drivers in MIGRATEKIT_VIRTIO_WIN).
        </>
      );
    default:
      return null;
  }
}

export function FailoverReadiness({ vm, actions }: { vm: VmContextDetail; actions: ReadinessActions }) {
  const readiness = useQuery({
    queryKey: ['failover-readiness', vm.context_id, vm.current_status, vm.last_successful_sync_at],
    queryFn: () => fetchReadiness(vm.context_id),
  });
  if (readiness.isPending) return <Loading what="failover readiness" />;
  if (readiness.isError)
    return <ErrorState error={readiness.error} what="failover readiness" onRetry={() => void readiness.refetch()} />;
  const r = readiness.data;
  return (
    <div className="space-y-1.5 text-xs" data-testid="failover-readiness">
      <p className="text-slate-600 dark:text-slate-400">
        Last sync {vm.last_successful_sync_at ? formatAge(vm.last_successful_sync_at) : 'never'}
      </p>
      {(['test', 'live'] as const).map((type) => {
        const t = r[type];
        return (
          <div key={type}>
            <p className="font-medium">
              <span aria-hidden="true">{t.ready ? '\u2713 ' : '\u2717 '}</span>
              {type === 'test' ? 'Test' : 'Live'} failover: {t.ready ? 'ready' : `not ready (${t.items.length})`}
            </p>
            {t.items.length > 0 ? (
              <ul className="mt-0.5 ml-4 list-disc space-y-1">
                {t.items.map((item) => (
                  <li key={`${item.check}-${item.message}`}>
                    <span className="font-medium">{item.message}.</span> {remedy(item, vm, actions)}
                  </li>
                ))}
              </ul>
            ) : null}
          </div>
        );
      })}
    </div>
  );
}
