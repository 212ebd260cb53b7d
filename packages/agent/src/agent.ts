// `migratekit agent`: pair once (token -> credential file), then keep the control channel up and serve the
// server's requests against the vCenters it names.
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { Clock } from '@migratekit/core';
import { AgentLink, type AgentLogger } from './agent-link';
import { loadCredential, pairWithServer, saveCredential } from './credential-store';
import type { DiskAccess } from './disk-access';
import type { AgentCredential, PeerServer } from './protocol';
import { replicateHandler } from './replicate.handler';
import { vcenterConnector } from './vcenter-connect';
import { discoverHandler, vmInfoHandler, vmPowerHandler } from './vm-handlers';

export const CREDENTIAL_FILE = 'agent-credential.json';

/** The server URL the agent in `stateDir` is paired with, or undefined before the first pairing. */
export function pairedServerUrl(stateDir: string): string | undefined {
  return loadCredential(join(stateDir, CREDENTIAL_FILE))?.server_url;
}

/** Pairs once and stores the credential (what `migratekit-agent pair` does before the service starts). */
export async function pairAgent(options: {
  serverUrl: string;
  pairingToken: string;
  stateDir: string;
  name?: string;
}): Promise<AgentCredential> {
  const credential = await pairWithServer(options.serverUrl, options.pairingToken, options.name ?? hostname());
  saveCredential(join(options.stateDir, CREDENTIAL_FILE), credential);
  return credential;
}

export interface RunAgentOptions {
  /** https://host:port of the server's agent listener. */
  serverUrl: string;
  /** Needed on the first start only; ignored once a credential is stored. */
  pairingToken?: string | undefined;
  stateDir: string;
  name?: string;
  diskAccess: DiskAccess;
  /** vCenter host (or host:port) -> certificate thumbprint, for vCenters with self-signed certificates. */
  vcenterThumbprints?: Readonly<Record<string, string>>;
  logger: AgentLogger;
  clock?: Clock;
  backoff?: { initialMs: number; maxMs: number };
}

export interface RunningAgent {
  credential: AgentCredential;
  link: AgentLink;
  close(): Promise<void>;
}

function storePeers(path: string, credential: AgentCredential, peers: PeerServer[], logger: AgentLogger): void {
  try {
    saveCredential(path, { ...credential, peers });
  } catch (error) {
    // The link goes on with the peers in memory; only a restart would miss them.
    logger.error({ err: String(error), path }, 'could not store the learned servers in the credential file');
  }
}

/** Pairs if needed, then starts the link; resolves once the link is started (not necessarily online). */
export async function runAgent(options: RunAgentOptions): Promise<RunningAgent> {
  const credentialPath = join(options.stateDir, CREDENTIAL_FILE);
  let credential = loadCredential(credentialPath);
  if (credential === undefined || credential.server_url !== options.serverUrl) {
    if (options.pairingToken === undefined || options.pairingToken === '') {
      throw new Error(`agent is not paired with ${options.serverUrl}: pass --pairing-token`);
    }
    credential = await pairAgent({ ...options, pairingToken: options.pairingToken });
    options.logger.info({ agent_id: credential.agent_id, path: credentialPath }, 'agent paired');
  }
  const connect = vcenterConnector({
    ...(options.vcenterThumbprints === undefined ? {} : { thumbprints: options.vcenterThumbprints }),
    ...(options.clock === undefined ? {} : { clock: options.clock }),
  });
  const paired = credential;
  const link = new AgentLink({
    credential,
    logger: options.logger,
    // Kept with the credential: a restarted agent whose paired server is dead still finds the others.
    onPeersLearned: (peers) => storePeers(credentialPath, paired, peers, options.logger),
    ...(options.clock === undefined ? {} : { clock: options.clock }),
    ...(options.backoff === undefined ? {} : { backoff: options.backoff }),
    handlers: {
      discover: (params) => discoverHandler(connect)(params as never),
      'vm.info': (params) => vmInfoHandler(connect)(params as never),
      'vm.power': (params) => vmPowerHandler(connect)(params as never),
      replicate: (params, ctx) =>
        replicateHandler({
          connect,
          diskAccess: options.diskAccess,
          logger: options.logger,
          ...(options.vcenterThumbprints === undefined ? {} : { thumbprints: options.vcenterThumbprints }),
          ...(options.clock === undefined ? {} : { clock: options.clock }),
        })(params as never, ctx),
    },
  });
  link.start();
  return { credential, link, close: () => link.close() };
}
