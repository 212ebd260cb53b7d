import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { test } from 'node:test';
import { freePort, freePorts } from './free-ports';

test('freePorts hands out distinct ports that can then be listened on', { timeout: 30_000 }, async () => {
  for (let round = 0; round < 20; round++) {
    const ports = await freePorts(4);
    assert.equal(new Set(ports).size, 4, `round ${round}: ${ports.join(', ')}`);
    const servers = await Promise.all(
      ports.map(
        (port) =>
          new Promise<ReturnType<typeof createServer>>((resolve, reject) => {
            const server = createServer();
            server.once('error', reject);
            server.listen(port, '127.0.0.1', () => resolve(server));
          }),
      ),
    );
    await Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
  }
  assert.ok((await freePort()) > 0);
});
