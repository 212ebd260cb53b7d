// `migratekit server` with the agent link: the HTTPS listener agents connect to (pairing + control channel),
// and, when an active CloudStack configuration names the server VM, the NBD target, volume daemon and
// replication. Settings from the environment:
//   MIGRATEKIT_AGENT_PORT (8443), MIGRATEKIT_AGENT_HOST (HOST), MIGRATEKIT_NBD_PORT (10809),
//   MIGRATEKIT_NBD_HOST (0.0.0.0), MIGRATEKIT_NBD_ADVERTISE (host agents dial; default the agent URL's host),
//   MIGRATEKIT_BY_ID_DIR (/dev/disk/by-id), MIGRATEKIT_TLS_CERT / MIGRATEKIT_TLS_KEY (else generated).
import { MigrateKitError, isMigrateKitError } from '@migratekit/core';
import { cloudStackClientFromConfig } from '../cloudstack/cloudstack-client.factory';
import { DEFAULT_NBD_PORT, loadOrCreateServerCertificate } from '../nbd-target';
import { startServer, type RunningServer, type StartServerOptions } from '../server-runtime';
import { AuditService } from '../services/audit.service';
import { CloudStackConfigService } from '../services/cloudstack-config.service';
import { withAgentServices, wireReplication, type ReplicationWiring } from './agent-wiring';

function port(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0 || value > 65535)
    throw new MigrateKitError('MKE_VALIDATION', { message: `${name} must be a port number`, field: name });
  return value;
}

export interface ServerWithAgents extends RunningServer {
  wiring: ReplicationWiring;
}

export async function startServerWithAgents(
  options: StartServerOptions & { env?: NodeJS.ProcessEnv },
): Promise<ServerWithAgents> {
  const env = options.env ?? process.env;
  const certificate = await loadOrCreateServerCertificate({
    dataDir: options.config.dataDir,
    ...(env.MIGRATEKIT_TLS_CERT === undefined ? {} : { certPath: env.MIGRATEKIT_TLS_CERT }),
    ...(env.MIGRATEKIT_TLS_KEY === undefined ? {} : { keyPath: env.MIGRATEKIT_TLS_KEY }),
  });
  const server = await startServer({ ...options, extendDeps: withAgentServices({ certificate }) });
  try {
    const { deps } = server;
    const configs = new CloudStackConfigService({
      configs: deps.repositories.cloudstackConfigs,
      secrets: deps.secrets,
      audit: new AuditService({ audit: deps.repositories.audit }),
    });
    const active = await configs.resolveActive().catch((error: unknown) => {
      // "None is active" is the expected case; an unreadable secret (a wrong master key) or a database error
      // must be logged as itself, not read as "no configuration".
      if (!isMigrateKitError(error) || error.code !== 'MKE_NOT_FOUND')
        deps.logger.error({ err: error }, 'the active CloudStack configuration cannot be read: replication stays off');
      return undefined;
    });
    if (active?.serverVmId === null || active === undefined)
      deps.logger.warn(
        {},
        'no usable CloudStack configuration with server_vm_id: replication stays off until one exists and the server restarts',
      );
    const wiring = await wireReplication({
      deps,
      app: server.app,
      dataDir: options.config.dataDir,
      certificate,
      ...(active === undefined || active.serverVmId === null
        ? {}
        : {
            cloudstack: {
              client: cloudStackClientFromConfig(active, { logger: deps.logger }),
              serverVmId: active.serverVmId,
              byIdDir: env.MIGRATEKIT_BY_ID_DIR ?? '/dev/disk/by-id',
            },
          }),
      nbd: {
        host: env.MIGRATEKIT_NBD_HOST ?? '0.0.0.0',
        port: port(env, 'MIGRATEKIT_NBD_PORT', DEFAULT_NBD_PORT),
        ...(env.MIGRATEKIT_NBD_ADVERTISE === undefined ? {} : { advertisedHost: env.MIGRATEKIT_NBD_ADVERTISE }),
      },
      gateway: {
        host: env.MIGRATEKIT_AGENT_HOST ?? options.config.host,
        port: port(env, 'MIGRATEKIT_AGENT_PORT', 8443),
      },
    });
    return {
      ...server,
      wiring,
      close: async () => {
        await wiring.close();
        await server.close();
      },
    };
  } catch (error) {
    await server.close();
    throw error;
  }
}
