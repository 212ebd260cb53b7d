import { timingSafeEqual } from 'node:crypto';
import { computeSignature, parseExpires } from '@migratekit/cloudstack';

// ApiServer.verifyRequest: apiKey, signature, signatureVersion and expires are matched case-insensitively;
// the signature covers every other received parameter under its received name.

function findParam(params: Readonly<Record<string, string>>, name: string): string | undefined {
  const key = Object.keys(params).find((k) => k.toLowerCase() === name);
  return key === undefined ? undefined : params[key];
}

export function verifyRequest(
  params: Readonly<Record<string, string>>,
  keys: { apiKey: string; secretKey: string },
  now: Date,
): boolean {
  const apiKey = findParam(params, 'apikey');
  const signature = findParam(params, 'signature');
  if (apiKey === undefined || signature === undefined || apiKey !== keys.apiKey) return false;
  if (findParam(params, 'signatureversion') === '3') {
    const expires = parseExpires(findParam(params, 'expires') ?? '');
    if (expires === undefined || expires.getTime() < now.getTime()) return false;
  }
  const expected = Buffer.from(computeSignature(params, keys.secretKey));
  const received = Buffer.from(signature);
  return expected.length === received.length && timingSafeEqual(expected, received);
}
