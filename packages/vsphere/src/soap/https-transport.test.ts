import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { isMigrateKitError, makeTestCertificate, opensslAvailable, skipUnlessPeer } from '@migratekit/core';
import { createHttpsTransport } from './https-transport';

async function serve(handle: Parameters<typeof createServer>[1]): Promise<{ port: number; server: Server }> {
  const server = createServer(pem, handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { port: (server.address() as AddressInfo).port, server };
}

const skip = skipUnlessPeer('openssl', opensslAvailable());
const pem = skip ? { cert: '', key: '', fingerprint256: '' } : makeTestCertificate();
const request = { body: '<Envelope/>', soapAction: 'urn:vim25/8.0', cookie: undefined };

test('the vim25 transport is bounded in time and size', { timeout: 60_000, skip }, async (t) => {
  // Headers then one byte every 50 ms: an idle timer never fires, the deadline does.
  const trickle = await serve((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/xml' });
    const timer = setInterval(() => res.write(' '), 50);
    res.on('close', () => clearInterval(timer));
  });
  t.after(() => trickle.server.closeAllConnections());
  t.after(() => trickle.server.close());
  const slow = createHttpsTransport({
    host: '127.0.0.1',
    port: trickle.port,
    thumbprint: pem.fingerprint256,
    timeoutMs: 400,
  });
  t.after(() => slow.close());
  const timedOut = await slow.post(request).then(
    () => null,
    (e: unknown) => e,
  );
  assert.ok(isMigrateKitError(timedOut) && timedOut.code === 'MKE_UPSTREAM_TIMEOUT', String(timedOut));

  const flood = await serve((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/xml' });
    const chunk = Buffer.alloc(64 * 1024, 0x20);
    const write = (): void => {
      while (res.write(chunk));
      res.once('drain', write);
    };
    write();
  });
  t.after(() => flood.server.closeAllConnections());
  t.after(() => flood.server.close());
  const big = createHttpsTransport({
    host: '127.0.0.1',
    port: flood.port,
    thumbprint: pem.fingerprint256,
    maxResponseBytes: 512 * 1024,
  });
  t.after(() => big.close());
  const tooLarge = await big.post(request).then(
    () => null,
    (e: unknown) => e,
  );
  assert.ok(isMigrateKitError(tooLarge) && tooLarge.details?.reason === 'response_too_large', String(tooLarge));
});
