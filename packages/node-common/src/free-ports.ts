import { createServer, type Server } from 'node:net';

// Free loopback ports for tests, benchmarks and dev tooling that start servers on fixed ports. Every probe
// stays open until all are known: a probe closed before the next one opens may hand the same port out twice
// (one CI run failed that way, its API and agent listeners colliding).

function listen(host: string): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, host, () => resolve(server));
  });
}

/** A tuple of N numbers, so that `const [a, b] = await freePorts(2)` types both as numbers. */
type Ports<N extends number, R extends number[] = []> = R['length'] extends N ? R : Ports<N, [...R, number]>;

/** `count` distinct ports that were free a moment ago on `host`. */
export async function freePorts<N extends number>(count: N, host = '127.0.0.1'): Promise<Ports<N>> {
  const servers: Server[] = [];
  try {
    for (let i = 0; i < count; i++) servers.push(await listen(host));
    const ports = servers.map((server) => {
      const address = server.address();
      if (typeof address !== 'object' || address === null) throw new Error('a probe listener has no port');
      return address.port;
    });
    return ports as Ports<N>;
  } finally {
    await Promise.all(servers.map((server) => new Promise<void>((resolve) => server.close(() => resolve()))));
  }
}

/** One port that was free a moment ago; use freePorts when a caller needs several. */
export async function freePort(host = '127.0.0.1'): Promise<number> {
  const [port] = await freePorts(1, host);
  if (port === undefined) throw new Error('no free port');
  return port;
}
