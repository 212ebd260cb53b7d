import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import { createAgentLogger } from '../src/lib/agent-logger';

test('the agent logger censors secrets as the server does, NBD pre-shared keys included', { timeout: 30_000 }, () => {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString('utf8'));
      done();
    },
  });
  const logger = createAgentLogger('info', sink);
  logger.info(
    {
      request: { nbd: { psk_identity: 'agent-1', psk_key_hex: 'leak-1' } },
      secret: 'leak-2',
      vcenter: { password: 'leak-3' },
      authorization: 'Bearer leak-4',
    },
    'replicate',
  );
  const line = lines.join('');
  assert.match(line, /agent-1/, 'the identity is not a secret');
  for (const leak of ['leak-1', 'leak-2', 'leak-3', 'leak-4']) assert.ok(!line.includes(leak), leak);
});
