// The MigrateKit server of the end-to-end benchmark (e2e-replication.bench.ts) as its own process, so its peak RSS is
// its own: the dev stack without simulators (what `migratekit dev` runs with MIGRATEKIT_DEV_SIMULATORS=off), started
// by `fork` with an IPC channel. The channel only reports where the server listens and, for the nbdcopy runs, puts a
// benchmark key into the NBD target's PSK table (the table a replication job puts its own key into), so nbdcopy
// reaches the same export with the same TLS-PSK as the agent does. The server code is the product's, unchanged.
import { startDevStack } from '../packages/server/src/dev';
import { createLogger } from '../packages/server/src/logging/logger';

export interface ServerReady {
  type: 'ready';
  url: string;
  agentUrl: string;
  nbdPort: number;
  cliTokenPath: string;
}

export type ServerRequest =
  | { type: 'psk-add'; id: number; identity: string; keyHex: string }
  | { type: 'psk-remove'; id: number; identity: string };

export interface ServerAnswer {
  type: 'done';
  id: number;
}

async function main(): Promise<void> {
  const send = process.send?.bind(process);
  if (send === undefined) throw new Error('e2e-server-process must be started with fork (an IPC channel)');
  const stack = await startDevStack({
    env: process.env,
    estate: false,
    logger: createLogger({ level: 'warn' }),
    out: () => undefined,
  });
  const psk = stack.server.composition.adapters.nbdPsk;
  const nbdPort = stack.server.nbdPort;
  if (nbdPort === undefined) throw new Error('the NBD target has no own port (MIGRATEKIT_NBD_LISTENER=on expected)');
  process.on('message', (message: ServerRequest) => {
    if (message.type === 'psk-add') psk.set(message.identity, Buffer.from(message.keyHex, 'hex'));
    else psk.delete(message.identity);
    send({ type: 'done', id: message.id } satisfies ServerAnswer);
  });
  // The benchmark is gone (ended or killed): no server may outlive it.
  process.once('disconnect', () => {
    void stack.close().finally(() => process.exit(0));
  });
  send({
    type: 'ready',
    url: stack.url,
    agentUrl: stack.server.gateway.url,
    nbdPort,
    cliTokenPath: stack.cliTokenPath,
  } satisfies ServerReady);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
