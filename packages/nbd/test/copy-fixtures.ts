import type { TestContext } from 'node:test';
import { FileBackend, NbdServer } from '../src/index';
import { freePort, startPeer } from './peers';

export interface NbdkitToOurServer {
  /** nbdkit serving the source file (default export). */
  nbdkitPort: number;
  /** Our server exporting the target file as `vol-target`. */
  ourPort: number;
  server: NbdServer;
}

/** The copy tests' usual pair: nbdkit reads `source`, our NbdServer writes `target`; both stop after the test. */
export async function nbdkitToOurServer(t: TestContext, source: string, target: string): Promise<NbdkitToOurServer> {
  const nbdkitPort = await freePort();
  await startPeer(
    t,
    'nbdkit',
    ['-f', '--exit-with-parent', '-i', '127.0.0.1', '-p', String(nbdkitPort), 'file', source],
    nbdkitPort,
  );
  const server = new NbdServer();
  const backend = await FileBackend.open(target);
  server.addExport('vol-target', backend);
  const { port: ourPort } = await server.listen(0, '127.0.0.1');
  t.after(async () => {
    await server.close();
    await backend.close();
  });
  return { nbdkitPort, ourPort, server };
}
