import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { isMigrateKitError, makeTestCertificate, opensslAvailable, skipUnlessPeer } from '@migratekit/core';
import { pinnedPostJson } from './pinned-tls';

/** An HTTPS server on an ephemeral port; `handle` decides how (or whether) it answers. */
async function serve(
  handle: Parameters<typeof createServer>[1],
): Promise<{ url: string; fingerprint: string; server: Server }> {
  const { cert, key, fingerprint256 } = makeTestCertificate();
  const server = createServer({ cert, key }, handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `https://127.0.0.1:${port}/api/v1/agents/pair`, fingerprint: fingerprint256, server };
}

test(
  'pairing over pinned TLS is bounded: a server that never answers times out, a huge answer is refused',
  { timeout: 60_000, skip: skipUnlessPeer('openssl', opensslAvailable()) },
  async (t) => {
    const silent = await serve(() => undefined);
    t.after(() => silent.server.closeAllConnections());
    t.after(() => silent.server.close());
    const stalled = await pinnedPostJson(silent.url, silent.fingerprint, {}, { responseTimeoutMs: 300 }).then(
      () => null,
      (e: unknown) => e,
    );
    assert.ok(isMigrateKitError(stalled) && stalled.code === 'MKE_UPSTREAM_TIMEOUT', String(stalled));

    const flood = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      // No content-length: the cap has to hold while streaming.
      const chunk = Buffer.alloc(64 * 1024, 0x20);
      const write = (): void => {
        while (res.write(chunk));
        res.once('drain', write);
      };
      write();
    });
    t.after(() => flood.server.closeAllConnections());
    t.after(() => flood.server.close());
    const huge = await pinnedPostJson(flood.url, flood.fingerprint, {}, { maxResponseBytes: 256 * 1024 }).then(
      () => null,
      (e: unknown) => e,
    );
    assert.ok(isMigrateKitError(huge) && huge.details?.reason === 'response_too_large', String(huge));

    const honest = await serve((_req, res) => res.end(JSON.stringify({ agent_id: 'a' })));
    t.after(() => honest.server.close());
    assert.deepEqual(await pinnedPostJson(honest.url, honest.fingerprint, {}), {
      status: 200,
      body: { agent_id: 'a' },
    });
  },
);
