// One self-signed server certificate per test process (made with openssl once, then reused): the composition
// needs one for agent pairing and the NBD target even where a test never opens a TLS connection.
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadOrCreateServerCertificate, type ServerCertificate } from '../src/nbd-target/server-certificate';

let made: Promise<ServerCertificate> | undefined;

export function testCertificate(): Promise<ServerCertificate> {
  made ??= loadOrCreateServerCertificate({ dataDir: join(tmpdir(), `migratekit-test-cert-${process.pid}`) });
  return made;
}
