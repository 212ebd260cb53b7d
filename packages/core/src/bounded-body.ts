// Reading a remote's answer into memory with a ceiling: a misbehaving or hostile peer (a proxy serving a
// file, a runaway listing) must not make us buffer without bound. Shared by the vim25, CloudStack and
// agent-pairing clients.
import type { IncomingMessage } from 'node:http';
import { MigrateKitError } from './errors';

/** The error for an answer larger than the caller allows (a 502: the remote misbehaved). */
export function responseTooLarge(what: string, maxBytes: number): MigrateKitError {
  return new MigrateKitError('MKE_UPSTREAM_ERROR', {
    message: `The answer from ${what} is larger than ${maxBytes} bytes`,
    details: { reason: 'response_too_large', max_bytes: maxBytes },
  });
}

/**
 * Collects a node:http response body; past `maxBytes` (or when Content-Length announces more) the response is
 * destroyed and the promise rejects with responseTooLarge.
 */
export function readBoundedBody(res: IncomingMessage, maxBytes: number, what: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const announced = Number(res.headers['content-length'] ?? 0);
    if (announced > maxBytes) {
      res.destroy();
      reject(responseTooLarge(what, maxBytes));
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    res.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        res.destroy();
        reject(responseTooLarge(what, maxBytes));
        return;
      }
      chunks.push(chunk);
    });
    res.on('error', reject);
    res.on('end', () => resolve(Buffer.concat(chunks)));
  });
}

/** The same for a fetch Response: reads its stream and cancels it past `maxBytes`. */
export async function readBoundedText(response: Response, maxBytes: number, what: string): Promise<string> {
  const announced = Number(response.headers.get('content-length') ?? 0);
  if (announced > maxBytes) {
    await response.body?.cancel();
    throw responseTooLarge(what, maxBytes);
  }
  if (!response.body) return '';
  const reader = response.body.getReader() as ReadableStreamDefaultReader<Uint8Array>;
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel();
      throw responseTooLarge(what, maxBytes);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}
