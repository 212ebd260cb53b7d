import { MigrateKitError, type ErrorCode } from '@migratekit/core';

// The errno values that travel in NBD replies; anything unknown is treated as EINVAL, as the spec says.
export const NBD_ERRNO = {
  EPERM: 1,
  EIO: 5,
  ENOMEM: 12,
  EINVAL: 22,
  ENOSPC: 28,
  EOVERFLOW: 75,
  ENOTSUP: 95,
  ESHUTDOWN: 108,
} as const;

export type NbdErrnoName = keyof typeof NBD_ERRNO;

export function errnoName(value: number): NbdErrnoName {
  for (const [name, v] of Object.entries(NBD_ERRNO)) if (v === value) return name as NbdErrnoName;
  return 'EINVAL';
}

/** Maps a Node/system error code from a backend to the errno a client should see. */
export function errnoFromSystem(error: unknown): NbdErrnoName {
  if (error instanceof NbdError && error.errno) return error.errno;
  const code = (error as { code?: unknown } | null)?.code;
  switch (code) {
    case 'EPERM':
    case 'EACCES':
    case 'EROFS':
      return 'EPERM';
    case 'ENOSPC':
    case 'EDQUOT':
    case 'EFBIG':
      return 'ENOSPC';
    case 'ENOMEM':
      return 'ENOMEM';
    case 'EINVAL':
      return 'EINVAL';
    case 'ENOTSUP':
    case 'EOPNOTSUPP':
      return 'ENOTSUP';
    default:
      return 'EIO';
  }
}

export type NbdErrorKind = 'request' | 'protocol' | 'connection' | 'timeout' | 'tls' | 'negotiation';

const KIND_CODE: Record<NbdErrorKind, ErrorCode> = {
  request: 'MKE_NBD_REQUEST_FAILED',
  protocol: 'MKE_NBD_PROTOCOL',
  connection: 'MKE_NBD_CONNECTION',
  timeout: 'MKE_NBD_TIMEOUT',
  tls: 'MKE_NBD_TLS',
  negotiation: 'MKE_NBD_NEGOTIATION',
};

/**
 * Every failure of the NBD client or server. `errno` is set when the peer answered a request with an NBD
 * error; `kind` says whether the connection is still usable ('request') or gone (everything else).
 */
export class NbdError extends MigrateKitError {
  readonly kind: NbdErrorKind;
  readonly errno: NbdErrnoName | undefined;

  constructor(kind: NbdErrorKind, message: string, options: { errno?: NbdErrnoName; cause?: unknown } = {}) {
    super(KIND_CODE[kind], { message, cause: options.cause, details: { kind, errno: options.errno } });
    this.name = 'NbdError';
    this.kind = kind;
    this.errno = options.errno;
  }

  static request(errno: NbdErrnoName, message?: string): NbdError {
    return new NbdError('request', message ?? `NBD request failed: ${errno}`, { errno });
  }
}
