// The agent's own credential after pairing: one JSON file, mode 0600, in the agent's state directory.
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { MigrateKitError, VERSION } from '@migratekit/core';
import { pinnedPostJson } from './pinned-tls';
import {
  PROTOCOL_VERSION,
  isPeerServer,
  parsePairingToken,
  type AgentCredential,
  type PairRequest,
  type PairResponse,
} from './protocol';

export function loadCredential(path: string): AgentCredential | undefined {
  if (!existsSync(path)) return undefined;
  const value = JSON.parse(readFileSync(path, 'utf8')) as Partial<AgentCredential>;
  if (
    typeof value.agent_id !== 'string' ||
    typeof value.secret !== 'string' ||
    typeof value.server_fingerprint !== 'string' ||
    typeof value.server_url !== 'string'
  )
    throw new MigrateKitError('MKE_VALIDATION', { message: `agent credential file ${path} is incomplete` });
  if (value.peers !== undefined && !(Array.isArray(value.peers) && value.peers.every(isPeerServer)))
    throw new MigrateKitError('MKE_VALIDATION', { message: `agent credential file ${path} has a bad peers list` });
  return value as AgentCredential;
}

export function saveCredential(path: string, credential: AgentCredential): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  writeFileSync(path, `${JSON.stringify(credential, null, 2)}\n`, { mode: 0o600 });
  // mode applies only on creation; an older file keeps its bits otherwise.
  chmodSync(path, 0o600);
}

/** Trades a one-time pairing token for the agent's credential, pinning the server from the token. */
export async function pairWithServer(serverUrl: string, token: string, name: string): Promise<AgentCredential> {
  const parsed = parsePairingToken(token);
  const request: PairRequest = { token, name, version: VERSION, protocol: PROTOCOL_VERSION };
  const response = await pinnedPostJson(
    new URL('/api/v1/agents/pair', serverUrl).toString(),
    parsed.fingerprint,
    request,
  );
  if (response.status !== 200) {
    const error = (response.body as { error?: { code?: string; message?: string } } | undefined)?.error;
    throw new MigrateKitError(response.status === 401 ? 'MKE_UNAUTHENTICATED' : 'MKE_UPSTREAM_REJECTED', {
      message: `pairing refused (${response.status}): ${error?.message ?? 'no reason given'}`,
    });
  }
  const body = response.body as PairResponse;
  return {
    agent_id: body.agent_id,
    secret: body.secret,
    server_fingerprint: parsed.fingerprint,
    server_url: serverUrl,
  };
}
