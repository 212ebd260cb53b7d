// A relayed agent request's parameters at rest (docs/scale-out.md#agents-and-scope): they carry the vCenter
// credential, so the agent_requests row holds them sealed with the master key every server shares, never in
// the clear. The associated data binds the ciphertext to this use.
import { MigrateKitError } from '@migratekit/core';
import type { SecretBox } from '../security/secret-box';

const CONTEXT = 'agent-request-params';

export interface SealedParams {
  sealed: string;
}

export function sealRequestParams(secrets: Pick<SecretBox, 'seal'>, params: unknown): SealedParams {
  return { sealed: secrets.seal(JSON.stringify(params), CONTEXT) };
}

export function openRequestParams(secrets: Pick<SecretBox, 'open'>, stored: unknown): unknown {
  const sealed = (stored as Partial<SealedParams> | null)?.sealed;
  if (typeof sealed !== 'string')
    throw new MigrateKitError('MKE_SECRET_UNREADABLE', { message: 'A relayed agent request was stored unsealed' });
  return JSON.parse(secrets.open(sealed, CONTEXT)) as unknown;
}
