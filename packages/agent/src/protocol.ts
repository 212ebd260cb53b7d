// The agent control channel, shared by both ends: the server sends requests (id, method, params, timeout) over
// the agent's one outbound WebSocket; the agent answers each with a response and may stream progress events
// for it first. Heartbeats flow both ways. Every message is one JSON object with a `type`.
import { MigrateKitError, VERSION, isMigrateKitError, type ErrorCode, ERROR_CATALOGUE } from '@migratekit/core';
import type { DiscoveredVm, VmConcern } from '@migratekit/vsphere';
import { parsePeerServers, type PeerServer } from './protocol-peers';

export { MAX_PEER_SERVERS, isPeerServer, type PeerServer } from './protocol-peers';

/** Bumped when a message or method changes incompatibly; the handshake refuses a different one. */
export const PROTOCOL_VERSION = 1;

/** The WebSocket path on the server's HTTPS port. */
export const AGENT_CONNECT_PATH = '/api/v1/agents/connect';
export const AGENT_VERSION_HEADER = 'x-migratekit-agent-version';
export const AGENT_PROTOCOL_HEADER = 'x-migratekit-agent-protocol';

/**
 * NBD over the agent port (docs/agent.md#one-port-from-agent-to-server): an HTTP Upgrade on the same HTTPS
 * listener turns the agent's TLS connection into a raw NBD stream, authenticated by the job's PSK.
 */
export const AGENT_NBD_PATH = '/api/v1/agents/nbd';
export const NBD_UPGRADE_PROTOCOL = 'nbd';
const NBD_AUTH_SCHEME = 'NBD-PSK';

export function nbdUpgradeAuthorization(identity: string, keyHex: string): string {
  return `${NBD_AUTH_SCHEME} ${identity}:${keyHex}`;
}

export function parseNbdUpgradeAuthorization(value: string): { identity: string; key: Buffer } | undefined {
  const match = /^NBD-PSK\s+([A-Za-z0-9_-]{1,128}):((?:[0-9a-fA-F]{2}){16,64})$/.exec(value.trim());
  return match === null ? undefined : { identity: match[1] as string, key: Buffer.from(match[2] as string, 'hex') };
}

/** WebSocket close codes the server uses (4000-4999 are the application's). */
export const CLOSE_CODES = {
  unauthorized: 4401,
  versionMismatch: 4409,
  replaced: 4410,
  heartbeatTimeout: 4408,
  serverShutdown: 4503,
} as const;

/** How a request names a vCenter: host plus the credential resolved by the server (never stored by the agent). */
export interface VcenterParams {
  host: string;
  username: string;
  password: string;
  datacenter?: string | null;
  /** Pinned certificate thumbprint; without it the agent uses its own configured pin for the host. */
  thumbprint?: string | null;
}

export interface DiscoverParams {
  vcenter: VcenterParams;
  datacenter?: string | null;
  filter?: string | null;
}

/**
 * One VM as discovery returns it (the vSphere package's DiscoveredVm), plus its validation concerns.
 * Concern codes are open on the wire: the server adds its own (a name collision) to the agent's.
 */
export interface DiscoveredVmWire extends DiscoveredVm {
  concerns: Array<Omit<VmConcern, 'code'> & { code: string }>;
  /** The vSphere managed object id ("vm-123"), for operations. */
  moref: string;
}

export interface DiscoverResult {
  vcenter_host: string;
  vms: DiscoveredVmWire[];
}

export interface VmRefParams {
  vcenter: VcenterParams;
  /** Instance UUID (the VM's MigrateKit identity). */
  vm_id: string;
}

export type PowerAction = 'on' | 'off' | 'shutdown' | 'state';

export interface PowerParams extends VmRefParams {
  action: PowerAction;
  /** Guest shutdown timeout before a hard power-off. */
  shutdown_timeout_ms?: number;
}

export interface PowerResult {
  power_state: string;
  outcome?: string;
}

/** Where the agent writes one disk: an export of the server's NBD target, reached over TLS with a job PSK. */
export interface ReplicateDisk {
  disk_id: string;
  /** VMware device key (2000 for disk-2000). */
  device_key: number;
  capacity_bytes: number;
  /** Change id recorded by the last successful job for this disk; null means a full copy. */
  previous_change_id: string | null;
  /** Capacity at that job; a different capacity means a full copy. */
  previous_capacity_bytes: number | null;
  export_name: string;
  /** The volume was created by this job and reads as zeroes: holes need no writing. */
  destination_fresh: boolean;
}

/**
 * Where the agent writes the disks: through its agent-port connection (the default, one port to open), or a
 * separate NBD listener (MIGRATEKIT_NBD_LISTENER=on). A message without `via` names a separate listener.
 */
export type NbdEndpointWire =
  | { via: 'agent_port' }
  | { via?: 'nbd_port'; /** default: the host of the server URL the agent knows */ host?: string; port: number };

export interface ReplicateParams {
  job_id: string;
  vcenter: VcenterParams;
  vm_id: string;
  disks: ReplicateDisk[];
  nbd: NbdEndpointWire & { psk_identity: string; psk_key_hex: string };
  /** Copy tuning. */
  connections?: number;
  in_flight?: number;
}

export type ReplicatePhase = 'preparing' | 'snapshot' | 'querying' | 'copying' | 'finalizing';

export interface DiskProgressWire {
  disk_id: string;
  bytes_done: number;
  bytes_total: number;
  sync_type: 'full' | 'incremental';
  done: boolean;
}

export interface ReplicateProgress {
  phase: ReplicatePhase;
  bytes_done: number;
  bytes_total: number;
  current_bps: number;
  avg_bps: number;
  peak_bps: number;
  eta_seconds: number | null;
  disks: DiskProgressWire[];
  message?: string;
}

export interface ReplicatedDisk {
  disk_id: string;
  sync_type: 'full' | 'incremental';
  /** Why a full copy happened when an incremental was possible in principle. */
  full_copy_reason: string | null;
  change_id: string | null;
  capacity_bytes: number;
  bytes_total: number;
  bytes_written: number;
  bytes_zeroed: number;
  /** Copy restarts after a dropped NBD connection (each resumed from the durable cursor). */
  resumes: number;
}

export interface ReplicateResult {
  snapshot_id: string;
  sync_type: 'full' | 'incremental';
  disks: ReplicatedDisk[];
  bytes_total: number;
  duration_ms: number;
  avg_bps: number;
  peak_bps: number;
}

export interface CancelParams {
  request_id: string;
}

/** Every method: its params, result and progress payload. */
export interface AgentMethods {
  discover: { params: DiscoverParams; result: DiscoverResult; progress: never };
  'vm.info': { params: VmRefParams; result: DiscoveredVmWire; progress: never };
  'vm.power': { params: PowerParams; result: PowerResult; progress: never };
  replicate: { params: ReplicateParams; result: ReplicateResult; progress: ReplicateProgress };
  cancel: { params: CancelParams; result: { cancelled: boolean }; progress: never };
}

export type AgentMethod = keyof AgentMethods;
const AGENT_METHODS: readonly AgentMethod[] = ['discover', 'vm.info', 'vm.power', 'replicate', 'cancel'];

export interface WireError {
  code: string;
  message: string;
  retryable?: boolean;
  details?: Record<string, unknown>;
}

export interface RequestMessage {
  type: 'request';
  id: string;
  method: AgentMethod;
  params: unknown;
  /** The agent may give up after this long without finishing; the server enforces its own timeout too. */
  timeout_ms: number;
}

export type ResponseMessage =
  | { type: 'response'; id: string; ok: true; result: unknown }
  | { type: 'response'; id: string; ok: false; error: WireError };

export interface ProgressMessage {
  type: 'progress';
  id: string;
  data: unknown;
}

export interface HeartbeatMessage {
  type: 'heartbeat';
  /** Sender's clock, ISO-8601. */
  at: string;
  /** From a server: the other live servers, sent when the list changed since the welcome or the last one. */
  servers?: PeerServer[];
}

/** First server message after the upgrade. */
export interface WelcomeMessage {
  type: 'welcome';
  agent_id: string;
  server_version: string;
  protocol: number;
  heartbeat_ms: number;
  /** The other live servers at connect time; absent from servers that predate agent failover. */
  servers?: PeerServer[];
}

export type ServerToAgent = RequestMessage | HeartbeatMessage | WelcomeMessage;
export type AgentToServer = ResponseMessage | ProgressMessage | HeartbeatMessage;
export type ChannelMessage = ServerToAgent | AgentToServer;

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Parses one frame; throws MKE_VALIDATION for anything that is not a known message shape. */
export function parseMessage(raw: string): ChannelMessage {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    throw new MigrateKitError('MKE_VALIDATION', { message: 'agent channel frame is not JSON' });
  }
  if (!isObject(value) || typeof value.type !== 'string')
    throw new MigrateKitError('MKE_VALIDATION', { message: 'agent channel frame has no type' });
  const hasId = typeof value.id === 'string' && value.id.length > 0;
  switch (value.type) {
    case 'request':
      if (!hasId || typeof value.method !== 'string' || !AGENT_METHODS.includes(value.method as AgentMethod))
        throw new MigrateKitError('MKE_VALIDATION', { message: `bad request frame (method ${String(value.method)})` });
      if (typeof value.timeout_ms !== 'number')
        throw new MigrateKitError('MKE_VALIDATION', { message: 'request frame without timeout_ms' });
      return value as unknown as RequestMessage;
    case 'response':
      if (!hasId || typeof value.ok !== 'boolean' || (value.ok === false && !isObject(value.error)))
        throw new MigrateKitError('MKE_VALIDATION', { message: 'bad response frame' });
      return value as unknown as ResponseMessage;
    case 'progress':
      if (!hasId) throw new MigrateKitError('MKE_VALIDATION', { message: 'progress frame without id' });
      return value as unknown as ProgressMessage;
    case 'heartbeat':
      return {
        type: 'heartbeat',
        at: typeof value.at === 'string' ? value.at : '',
        ...parsePeerServers(value.servers, 'heartbeat'),
      };
    case 'welcome':
      if (typeof value.agent_id !== 'string' || typeof value.heartbeat_ms !== 'number')
        throw new MigrateKitError('MKE_VALIDATION', { message: 'bad welcome frame' });
      return { ...(value as unknown as WelcomeMessage), ...parsePeerServers(value.servers, 'welcome') };
    default:
      throw new MigrateKitError('MKE_VALIDATION', { message: `unknown frame type ${value.type}` });
  }
}

export function encodeMessage(message: ChannelMessage): string {
  return JSON.stringify(message);
}

/** An error as it crosses the channel: catalogue codes survive, anything else becomes MKE_INTERNAL. */
export function toWireError(error: unknown): WireError {
  if (isMigrateKitError(error)) {
    return {
      code: error.code,
      message: error.message,
      retryable: error.retryable,
      ...(error.details === undefined ? {} : { details: error.details }),
    };
  }
  return { code: 'MKE_INTERNAL', message: error instanceof Error ? error.message : String(error) };
}

export function fromWireError(error: WireError): MigrateKitError {
  const code: ErrorCode = error.code in ERROR_CATALOGUE ? (error.code as ErrorCode) : 'MKE_INTERNAL';
  return new MigrateKitError(code, {
    message: error.message,
    ...(error.details === undefined ? {} : { details: error.details }),
  });
}

/** Agent and server must agree on the protocol and on the major.minor product version. */
export function versionsCompatible(
  agent: { version: string; protocol: number },
  server: { version: string; protocol: number } = { version: VERSION, protocol: PROTOCOL_VERSION },
): boolean {
  const majorMinor = (v: string): string => v.split('.').slice(0, 2).join('.');
  return agent.protocol === server.protocol && majorMinor(agent.version) === majorMinor(server.version);
}

// Pairing tokens: `mkp1.<secret>.<sha256 of the server certificate, 64 hex>`. The secret is what the server
// stores hashed; the fingerprint lets the agent pin the server before it sends the secret (kubeadm's
// discovery-token-ca-cert-hash idea).
const TOKEN_PREFIX = 'mkp1';

export interface PairingToken {
  secret: string;
  /** Lower-case hex, no separators. */
  fingerprint: string;
}

export function normalizeFingerprint(fingerprint: string): string {
  return fingerprint.replace(/[^0-9a-fA-F]/g, '').toLowerCase();
}

export function formatPairingToken(token: PairingToken): string {
  return `${TOKEN_PREFIX}.${token.secret}.${normalizeFingerprint(token.fingerprint)}`;
}

export function parsePairingToken(text: string): PairingToken {
  const parts = text.trim().split('.');
  const [prefix, secret, fingerprint] = parts;
  if (
    parts.length !== 3 ||
    prefix !== TOKEN_PREFIX ||
    secret === undefined ||
    !/^[A-Za-z0-9_-]{16,}$/.test(secret) ||
    fingerprint === undefined ||
    !/^[0-9a-f]{64}$/.test(fingerprint)
  ) {
    throw new MigrateKitError('MKE_VALIDATION', {
      message: 'pairing token is malformed (expected mkp1.<secret>.<64 hex fingerprint>)',
      field: 'pairing_token',
    });
  }
  return { secret, fingerprint };
}

/** What pairing returns to the agent: its identity and secret; the agent keeps it (mode 0600). */
export interface AgentCredential {
  agent_id: string;
  secret: string;
  /** The server certificate fingerprint pinned at pairing. */
  server_fingerprint: string;
  server_url: string;
  /** The other servers learned from the servers this agent connected to, for failover; written by the agent. */
  peers?: PeerServer[];
}

export interface PairRequest {
  token: string;
  name: string;
  version: string;
  protocol: number;
}

export interface PairResponse {
  agent_id: string;
  secret: string;
  server_version: string;
}

/** The bearer value an agent presents on its WebSocket upgrade. */
export function agentBearer(credential: Pick<AgentCredential, 'agent_id' | 'secret'>): string {
  return `${credential.agent_id}.${credential.secret}`;
}

export function parseAgentBearer(value: string): { agentId: string; secret: string } | undefined {
  const match = /^Bearer\s+(agent-[A-Za-z0-9-]+)\.([A-Za-z0-9_-]{16,})$/.exec(value.trim());
  return match === null ? undefined : { agentId: match[1] as string, secret: match[2] as string };
}
