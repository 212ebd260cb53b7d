import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { CloudStackTransport } from './cloudstack-transport';
import { CloudStackResponseError, CloudStackTransportError } from './errors';

/** A real HTTP server on an ephemeral port, so the transport's own fetch and stream handling run. */
async function serve(handle: Parameters<typeof createServer>[1]): Promise<{ apiUrl: string; server: Server }> {
  const server = createServer(handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { apiUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/client/api`, server };
}

const keys = { apiKey: 'k', secretKey: 's', retry: { attempts: 0 } };

test(
  'CloudStack calls are bounded: an endless answer is cut at the cap, a silent server times out',
  { timeout: 60_000 },
  async (t) => {
    const flood = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"listvirtualmachinesresponse":{"virtualmachine":[');
      const chunk = Buffer.alloc(64 * 1024, 0x20);
      const write = (): void => {
        while (res.write(chunk));
        res.once('drain', write);
      };
      write();
    });
    t.after(() => flood.server.closeAllConnections());
    t.after(() => flood.server.close());
    const capped = new CloudStackTransport({ ...keys, apiUrl: flood.apiUrl, maxResponseBytes: 512 * 1024 });
    await assert.rejects(
      capped.call('listVirtualMachines'),
      (e: unknown) => e instanceof CloudStackResponseError && /larger than 524288 bytes/.test(e.message),
    );

    const silent = await serve(() => undefined);
    t.after(() => silent.server.closeAllConnections());
    t.after(() => silent.server.close());
    const impatient = new CloudStackTransport({ ...keys, apiUrl: silent.apiUrl, requestTimeoutMs: 300 });
    await assert.rejects(impatient.call('listZones'), (e: unknown) => e instanceof CloudStackTransportError);
  },
);
