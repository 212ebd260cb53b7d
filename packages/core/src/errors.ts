// The one error catalogue: a stable code, an HTTP status, whether a retry can help, and a message template.
// Services throw MigrateKitError; the HTTP layer renders it as {error: {code, message, field?}}.

export interface ErrorSpec {
  readonly status: number;
  readonly retryable: boolean;
  readonly message: string;
}

export const ERROR_CATALOGUE = {
  MKE_VALIDATION: { status: 400, retryable: false, message: 'Invalid input' },
  MKE_UNAUTHENTICATED: { status: 401, retryable: false, message: 'Authentication required' },
  MKE_INVALID_CREDENTIALS: { status: 401, retryable: false, message: 'Invalid username or password' },
  MKE_FORBIDDEN: { status: 403, retryable: false, message: 'Your role does not allow this action' },
  MKE_NOT_FOUND: { status: 404, retryable: false, message: 'Not found' },
  MKE_ROUTE_NOT_FOUND: { status: 404, retryable: false, message: 'No such route' },
  MKE_CONFLICT: { status: 409, retryable: false, message: 'Conflict with the current state' },
  MKE_ILLEGAL_TRANSITION: { status: 409, retryable: false, message: 'This status change is not allowed' },
  MKE_DUPLICATE: { status: 409, retryable: false, message: 'Already exists' },
  MKE_VM_ALREADY_MANAGED: { status: 409, retryable: false, message: 'VM already exists in management' },
  MKE_JOB_ACTIVE: { status: 409, retryable: false, message: 'A job is already active for this VM' },
  MKE_NOT_CONFIGURED: {
    status: 409,
    retryable: false,
    message: 'This feature needs a configuration the server does not have yet',
  },
  MKE_PAYLOAD_TOO_LARGE: { status: 413, retryable: false, message: 'Request body too large' },
  MKE_UNSUPPORTED_MEDIA: { status: 415, retryable: false, message: 'Unsupported content type' },
  MKE_RATE_LIMITED: { status: 429, retryable: true, message: 'Too many requests' },
  MKE_INTERNAL: { status: 500, retryable: false, message: 'Internal error' },
  MKE_NOT_IMPLEMENTED: { status: 501, retryable: false, message: 'Not implemented by this peer' },
  MKE_UPSTREAM_UNREACHABLE: { status: 502, retryable: true, message: 'Upstream service unreachable' },
  // A remote refusing the credentials the caller gave or stored is the caller's to fix: a 4xx, and 422 rather
  // than 401 so that a client does not take it for the end of its own MigrateKit session
  // (docs/decisions/remote-credentials-status.md).
  MKE_VCENTER_AUTH: { status: 422, retryable: false, message: 'vCenter rejected the user name or password' },
  MKE_CLOUDSTACK_AUTH: { status: 422, retryable: false, message: 'CloudStack rejected the API key or secret key' },
  MKE_UPSTREAM_ERROR: { status: 502, retryable: true, message: 'Upstream service returned an error' },
  MKE_UPSTREAM_REJECTED: { status: 502, retryable: false, message: 'Upstream service rejected the request' },
  MKE_UPSTREAM_BAD_URL: { status: 502, retryable: false, message: 'The URL does not answer as the expected API' },
  MKE_UPSTREAM_TLS: { status: 502, retryable: false, message: 'Upstream certificate does not match' },
  MKE_UPSTREAM_TIMEOUT: { status: 504, retryable: true, message: 'Upstream service timed out' },
  MKE_VSPHERE_OBJECT_NOT_FOUND: { status: 404, retryable: false, message: 'The vSphere object does not exist' },
  MKE_VSPHERE_INVALID_STATE: {
    status: 409,
    retryable: false,
    message: 'The vSphere object is in a state that does not allow this operation',
  },
  MKE_VSPHERE_BUSY: { status: 503, retryable: true, message: 'Another vSphere task is running on this object' },
  MKE_VSPHERE_FAULT: { status: 502, retryable: false, message: 'vCenter rejected the request' },
  MKE_AGENT_OFFLINE: { status: 503, retryable: true, message: 'No agent is connected for this source' },
  MKE_AGENT_LOST: { status: 503, retryable: true, message: 'The agent stopped reporting' },
  MKE_JOB_INTERRUPTED: { status: 500, retryable: true, message: 'The job was interrupted by a restart' },
  MKE_CANCELLED: { status: 409, retryable: false, message: 'The operation was cancelled' },
  MKE_SECRET_UNREADABLE: { status: 500, retryable: false, message: 'A stored secret cannot be decrypted' },
  MKE_NBD_REQUEST_FAILED: { status: 502, retryable: true, message: 'The NBD peer failed a request' },
  MKE_NBD_PROTOCOL: { status: 502, retryable: false, message: 'The NBD peer violated the protocol' },
  MKE_NBD_CONNECTION: { status: 502, retryable: true, message: 'The NBD connection failed' },
  MKE_NBD_TIMEOUT: { status: 504, retryable: true, message: 'The NBD peer did not answer in time' },
  MKE_NBD_TLS: { status: 502, retryable: false, message: 'The NBD TLS negotiation failed' },
  MKE_NBD_NEGOTIATION: { status: 502, retryable: false, message: 'The NBD handshake failed' },
  MKE_VOLUME_DEVICE_TIMEOUT: {
    status: 504,
    retryable: true,
    message: 'The attached volume did not appear as a block device in time',
  },
  // Guest conversion for KVM (docs/conversion.md): the message carries the tool's own error text.
  MKE_GUEST_CONVERSION_FAILED: { status: 422, retryable: false, message: 'The guest could not be converted for KVM' },
  MKE_GUEST_CONVERSION_TIMEOUT: {
    status: 504,
    retryable: true,
    message: 'The guest conversion did not finish within its time limit',
  },
  MKE_GUEST_INSPECTION_FAILED: { status: 422, retryable: false, message: 'The guest disks could not be inspected' },
  // Recovery plans (docs/recovery-plans.md): a child failover of a stage did not complete; later stages wait.
  MKE_RECOVERY_STAGE_FAILED: { status: 409, retryable: false, message: 'A stage of the recovery plan failed' },
  MKE_RECOVERY_STAGE_TIMEOUT: {
    status: 504,
    retryable: true,
    message: 'The target VMs of a recovery plan stage were not Running in time',
  },
} as const satisfies Record<`MKE_${string}`, ErrorSpec>;

export type ErrorCode = keyof typeof ERROR_CATALOGUE;

export interface MigrateKitErrorOptions {
  message?: string;
  field?: string;
  details?: Record<string, unknown>;
  cause?: unknown;
}

export class MigrateKitError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly retryable: boolean;
  readonly field: string | undefined;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: ErrorCode, options: MigrateKitErrorOptions = {}) {
    const spec: ErrorSpec = ERROR_CATALOGUE[code];
    super(options.message ?? spec.message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'MigrateKitError';
    this.code = code;
    this.status = spec.status;
    this.retryable = spec.retryable;
    this.field = options.field;
    this.details = options.details;
  }
}

export function isMigrateKitError(error: unknown): error is MigrateKitError {
  return error instanceof MigrateKitError;
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
