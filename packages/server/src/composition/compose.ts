// The composition root: adapters, then every service once, then what start-up must do before the server takes
// requests (recovery of work a previous process left) and what shutdown must stop, in one place.
import { isMigrateKitError } from '@migratekit/core';
import { createAdapters, type AdapterInput, type ServerAdapters } from './adapters';
import { createServices, type Services } from './services';

export interface Composition {
  readonly adapters: ServerAdapters;
  readonly services: Services;
  /** Ends or resumes what a previous process left running; call once, before listening. */
  recover(): Promise<void>;
  /** Stops background work and the agent link; listeners are closed by their owners first. */
  close(): Promise<void>;
}

export function compose(input: AdapterInput): Composition {
  const adapters = createAdapters(input);
  const services = createServices(adapters);
  const { logger } = adapters;
  return {
    adapters,
    services,
    recover: async () => {
      // Receive the other servers' events before anything here publishes (docs/scale-out.md).
      await adapters.eventRelay.start();
      logger.info({ mode: adapters.eventRelay.mode }, 'event relay started');
      // Registered (live) first; then only the jobs of this server id's previous process and of dead servers are
      // ended, never those of another live server on the same database (docs/scale-out.md).
      await services.presence.register();
      if (adapters.settings.presenceLoop !== false) services.presence.start();
      const interrupted = await adapters.joblog.markInterruptedJobs({ includeOwn: true });
      if (interrupted.length > 0)
        logger.warn({ jobs: interrupted.length }, 'marked jobs left unfinished by a stopped server as interrupted');
      await services.replication.recoverInterrupted();
      const resumed = await services.workflows.recover();
      if (resumed.length > 0) logger.warn({ jobs: resumed.length }, 'took over workflow jobs of a previous run');
      await services.failover.syncAll();
      await services.recoveryPlans.syncActiveRuns();
      await reconcileVolumes(services, adapters);
      if (adapters.settings.schedulerEnabled !== false) services.scheduler.start();
      services.presence.startSweeping();
      if (adapters.settings.presenceLoop !== false) {
        services.agentRelay.start();
        services.queuedClaims.start();
      }
    },
    close: async () => {
      await services.scheduler.stop();
      await services.agentRelay.close();
      await services.queuedClaims.close();
      await services.workflows.close();
      services.failover.close();
      services.recovery.close();
      services.recoveryPlans.close();
      await services.replication.close();
      await services.presence.stop({ expire: true });
      await adapters.hub.close();
      await adapters.nbdTarget.close();
      // Last: it sends what the services above published while stopping.
      await adapters.eventRelay.close();
    },
  };
}

/** Finishes volume operations a crash left half done and restores the exports of server-attached volumes. */
async function reconcileVolumes(services: Services, adapters: ServerAdapters): Promise<void> {
  try {
    const report = await services.volumes.reconcileAtStartup();
    adapters.logger.info(
      {
        completed: report.completed.length,
        failed: report.failed.length,
        undecided: report.undecided.length,
        exportsRestored: report.exportsRestored.length,
        exportsFailed: report.exportsFailed.length,
      },
      'volume daemon reconciled',
    );
  } catch (error) {
    if (isMigrateKitError(error) && error.code === 'MKE_NOT_CONFIGURED') {
      adapters.logger.info({ reason: error.message }, 'volume reconciliation skipped: CloudStack is not configured');
      return;
    }
    // An unreachable CloudStack must not keep the API down: log it; volume operations retry on their own.
    adapters.logger.error({ err: error }, 'volume reconciliation failed');
  }
}
