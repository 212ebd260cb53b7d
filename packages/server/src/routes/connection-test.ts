// "Test connection" answers: a remote system that answered badly (wrong password, unreachable, untrusted
// certificate, missing datacenter) is a normal result of a test, so it comes back as 200 { ok: false, error }
// with the same distinct MKE_* code a failing operation would raise. Bad input and unknown ids stay 4xx.
import { isMigrateKitError } from '@migratekit/core';
import { Type, type TObject, type TProperties } from '@sinclair/typebox';

export const ConnectionTestFailure = Type.Object(
  {
    ok: Type.Literal(false),
    error: Type.Object({
      code: Type.String({
        description: 'MKE_VCENTER_AUTH, MKE_CLOUDSTACK_AUTH, MKE_UPSTREAM_UNREACHABLE, MKE_UPSTREAM_TLS, ...',
      }),
      message: Type.String(),
      field: Type.Optional(Type.String()),
      details: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
    }),
  },
  { description: 'The remote system answered badly; error.code says how' },
);

export function connectionTestResponse<P extends TProperties>(success: TObject<P>) {
  return Type.Union([success, ConnectionTestFailure]);
}

const REMOTE_CODES = new Set<string>(['MKE_VSPHERE_FAULT', 'MKE_VCENTER_AUTH', 'MKE_CLOUDSTACK_AUTH']);

/** Codes that describe the remote system's answer, not the request: reported as { ok: false }. */
export function isRemoteFailure(error: unknown, extraCodes: readonly string[] = []): boolean {
  if (!isMigrateKitError(error)) return false;
  return error.code.startsWith('MKE_UPSTREAM_') || REMOTE_CODES.has(error.code) || extraCodes.includes(error.code);
}

export async function runConnectionTest<T>(
  test: () => Promise<T>,
  extraCodes: readonly string[] = [],
): Promise<
  T | { ok: false; error: { code: string; message: string; field?: string; details?: Record<string, unknown> } }
> {
  try {
    return await test();
  } catch (error) {
    if (!isMigrateKitError(error) || !isRemoteFailure(error, extraCodes)) throw error;
    return {
      ok: false,
      error: {
        code: error.code,
        message: error.message,
        ...(error.field === undefined ? {} : { field: error.field }),
        ...(error.details === undefined ? {} : { details: error.details }),
      },
    };
  }
}
