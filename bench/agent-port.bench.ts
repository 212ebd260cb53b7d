import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { agentPortNbdTransport } from '@migratekit/agent';
import { MemoryBackend, NbdClient, copyExtents, type NbdClientOptions } from '@migratekit/nbd';
import { AGENT_CIPHERS } from '../packages/server/src/agents/agent-gateway';
import { nbdUpgradeHandler } from '../packages/server/src/agents/nbd-upgrade';
import { createLogger } from '../packages/server/src/logging/logger';
import { NbdTarget, loadOrCreateServerCertificate } from '../packages/server/src/nbd-target';
import type { BenchSuite, Figure } from './bench-types';

// The replication data path into the server's NBD target (docs/agent.md#one-port-from-agent-to-server): the
// agent's copy engine writing a volume through the agent port (HTTPS upgrade, one TLS session) vs through the
// NBD target's own port (TLS-PSK by STARTTLS), same target, same file, same engine settings.

const GiB = 2 ** 30;
const MiB = 2 ** 20;
const BYTES = Number(process.env.AGENT_PORT_BENCH_GIB ?? 1) * GiB;
const REPEATS = Number(process.env.AGENT_PORT_BENCH_REPEATS ?? 3);
const ENGINE = { connections: 4, inFlight: 16, requestSize: 2 * MiB };

async function randomSource(size: number): Promise<MemoryBackend> {
  const source = new MemoryBackend(size);
  for (let at = 0; at < size; at += 64 * MiB) await source.write(at, randomBytes(Math.min(64 * MiB, size - at)));
  return source;
}

async function timedCopy(source: MemoryBackend, destination: () => Promise<NbdClient>): Promise<number> {
  const started = performance.now();
  await copyExtents({ source, destination, extents: [{ offset: 0, length: source.size }], ...ENGINE });
  return (performance.now() - started) / 1000;
}

export const suite: BenchSuite = {
  description: 'NBD into the server target: through the agent port vs its own port',
  async run() {
    const dir = mkdtempSync('/tmp/mk-agent-port-bench-');
    const logger = createLogger({ level: 'silent' });
    const certificate = await loadOrCreateServerCertificate({ dataDir: dir });
    const psk = new Map([['job-bench', randomBytes(32)]]);
    const target = new NbdTarget({
      port: 0,
      host: '127.0.0.1',
      tls: { cert: certificate.cert, key: certificate.key, psk },
      isAgent: (identity) => psk.has(identity),
      logger,
    });
    // The agent listener's NBD path: an HTTPS server with the gateway's TLS settings and its upgrade handler.
    const https = createServer({ cert: certificate.cert, key: certificate.key, ciphers: AGENT_CIPHERS });
    https.on('upgrade', nbdUpgradeHandler({ psk, target, logger }));
    try {
      const port = await target.start();
      await new Promise<void>((resolve) => https.listen(0, '127.0.0.1', resolve));
      const httpsPort = (https.address() as AddressInfo).port;
      const volume = join(dir, 'volume.raw');
      writeFileSync(volume, '');
      truncateSync(volume, BYTES);
      const exportName = await target.addVolumeExport(randomUUID(), volume);
      const key = psk.get('job-bench') as Buffer;
      const ownPort: NbdClientOptions = {
        host: '127.0.0.1',
        port,
        exportName,
        tls: { mode: 'require', psk: { identity: 'job-bench', key } },
      };
      const agentPort: NbdClientOptions = {
        exportName,
        securedTransport: agentPortNbdTransport({
          serverUrl: `https://127.0.0.1:${httpsPort}`,
          fingerprint: certificate.fingerprint256,
          pskIdentity: 'job-bench',
          pskKeyHex: key.toString('hex'),
        }),
      };
      const source = await randomSource(BYTES);
      let best = { own: Infinity, agent: Infinity };
      for (let i = 0; i < REPEATS; i++) {
        best = {
          own: Math.min(best.own, await timedCopy(source, () => NbdClient.connect(ownPort))),
          agent: Math.min(best.agent, await timedCopy(source, () => NbdClient.connect(agentPort))),
        };
      }
      const ratio = best.own / best.agent;
      const figure: Figure = {
        name: 'nbd-target-agent-port',
        ratio,
        figures: {
          bytes: BYTES,
          agent_port_s: best.agent,
          nbd_port_s: best.own,
          agent_port_MiBps: BYTES / MiB / best.agent,
          nbd_port_MiBps: BYTES / MiB / best.own,
        },
        target: '>= 0.95 x the throughput through the NBD target own port (TLS-PSK)',
        met: ratio >= 0.95,
      };
      console.log(`  ${figure.name}: ratio ${ratio.toFixed(3)} ${JSON.stringify(figure.figures)}`);
      return {
        figures: [figure],
        notes: [
          `copy engine: ${ENGINE.connections} connections x ${ENGINE.inFlight} requests of ${ENGINE.requestSize / MiB} MiB from an in-memory random disk into a file export, page cache warm`,
          `best of ${REPEATS} alternating runs per path; agent side and server side in one process on loopback`,
        ],
      };
    } finally {
      await target.close();
      await new Promise<void>((resolve) => https.close(() => resolve()));
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
