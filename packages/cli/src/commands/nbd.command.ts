// `migratekit nbd serve` and `migratekit nbd copy`: the NBD server and copy engine for operators and tests.
import { resolve } from 'node:path';
import type { Command } from 'commander';
import {
  FileBackend,
  DEFAULT_COPY_WORKERS,
  defaultCopyConnections,
  DEFAULT_IN_FLIGHT,
  NbdServer,
  copyExtents,
  defaultConnectionProcesses,
  loadCertificateDir,
  loadPskFile,
  type CopyEndpoint,
  type CopyProgress,
  type NbdServerTlsOptions,
} from '@migratekit/nbd';

interface ServeOptions {
  export: string;
  port: string;
  host: string;
  tlsCert?: string;
  tlsPsk?: string;
  readonly?: boolean;
  processes?: string;
}

interface CopyCommandOptions {
  connections?: string;
  inFlight: string;
  requestSize?: string;
  workers?: string;
  json?: boolean;
}

function integer(value: string, name: string, min = 0): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new Error(`${name} must be an integer >= ${min}, got ${value}`);
  return n;
}

function untilSignal(): Promise<void> {
  return new Promise((done) => {
    process.once('SIGINT', done);
    process.once('SIGTERM', done);
  });
}

async function serve(file: string, opts: ServeOptions): Promise<void> {
  if (opts.tlsCert && opts.tlsPsk) throw new Error('--tls-cert and --tls-psk are exclusive');
  let tls: NbdServerTlsOptions | undefined;
  if (opts.tlsCert) tls = { mode: 'require', ...(await loadCertificateDir(resolve(opts.tlsCert), 'server')) };
  if (opts.tlsPsk) tls = { mode: 'require', psk: await loadPskFile(resolve(opts.tlsPsk)) };
  const backend = await FileBackend.open(resolve(file), { readOnly: opts.readonly ?? false });
  const connectionProcesses = opts.processes ? integer(opts.processes, '--processes') : defaultConnectionProcesses();
  const server = new NbdServer({ ...(tls ? { tls } : {}), connectionProcesses });
  server.addExport(opts.export, backend, { description: file });
  const { port } = await server.listen(integer(opts.port, '--port'), opts.host);
  const scheme = tls ? 'nbds' : 'nbd';
  process.stdout.write(
    `serving ${file} (${backend.size} bytes${backend.readOnly ? ', read-only' : ''}) at ${scheme}://${opts.host}:${port}/${encodeURIComponent(opts.export)}\n`,
  );
  await untilSignal();
  await server.close();
  await backend.close();
}

const isUri = (text: string): boolean => /^nbds?(\+(unix|tcp))?:\/\//.test(text);

/** A URI is an NBD spec (worker lanes open their own connections from it); a plain path is a local file. */
async function endpoint(
  target: string,
  readOnly: boolean,
): Promise<{ endpoint: CopyEndpoint; close(): Promise<void> }> {
  if (isUri(target)) return { endpoint: { nbd: target }, close: () => Promise.resolve() };
  const file = await FileBackend.open(resolve(target), { readOnly });
  return { endpoint: file, close: () => file.close() };
}

function formatBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = n;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value.toFixed(unit === 0 ? 0 : 1)} ${units[unit]}`;
}

function progressLine(p: CopyProgress): string {
  const width = 30;
  const fraction = p.bytesTotal ? p.bytesDone / p.bytesTotal : 1;
  const filled = Math.round(fraction * width);
  const eta = p.etaSeconds === null ? '--' : `${Math.ceil(p.etaSeconds)}s`;
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${(fraction * 100).toFixed(1).padStart(5)}% ${formatBytes(p.bytesDone)} / ${formatBytes(p.bytesTotal)}  ${formatBytes(p.currentBps)}/s  eta ${eta}`;
}

async function copy(source: string, destination: string, opts: CopyCommandOptions): Promise<void> {
  const src = await endpoint(source, true);
  const dst = await endpoint(destination, false);
  const controller = new AbortController();
  const onSignal = (): void => controller.abort(new Error('interrupted'));
  process.once('SIGINT', onSignal);
  const tty = process.stderr.isTTY && !opts.json;
  try {
    const result = await copyExtents({
      source: src.endpoint,
      destination: dst.endpoint,
      ...(opts.connections ? { connections: integer(opts.connections, '--connections', 1) } : {}),
      inFlight: integer(opts.inFlight, '--in-flight', 1),
      ...(opts.requestSize ? { requestSize: integer(opts.requestSize, '--request-size', 512) } : {}),
      ...(opts.workers ? { workers: integer(opts.workers, '--workers', 0) } : {}),
      signal: controller.signal,
      progressIntervalMs: 250,
      onProgress: (p) => {
        if (tty) process.stderr.write(`\r${progressLine(p)}`);
      },
    });
    if (tty) process.stderr.write('\n');
    if (opts.json) process.stdout.write(`${JSON.stringify(result)}\n`);
    else
      process.stdout.write(
        `copied ${formatBytes(result.bytesTotal)} in ${(result.durationMs / 1000).toFixed(2)} s (${formatBytes(result.averageBps)}/s): ${formatBytes(result.bytesWritten)} written, ${formatBytes(result.bytesZeroed)} zeroed\n`,
      );
  } finally {
    process.off('SIGINT', onSignal);
    await src.close();
    await dst.close();
  }
}

export function registerNbdCommands(program: Command): void {
  const nbd = program.command('nbd').description('NBD server and copy engine');
  nbd
    .command('serve')
    .description('Serve a file or block device over NBD until interrupted')
    .argument('<file>', 'file or block device to export')
    .requiredOption('--export <name>', 'export name')
    .option('--port <n>', 'TCP port (0 picks a free one)', '10809')
    .option('--host <address>', 'address to listen on', '127.0.0.1')
    .option('--tls-cert <dir>', 'require TLS with ca-cert.pem, server-cert.pem, server-key.pem from this directory')
    .option('--tls-psk <file>', 'require TLS-PSK with identity:hexkey lines from this file')
    .option('--readonly', 'refuse writes')
    .option(
      '--processes <n>',
      `child processes serving plain (non-TLS) connections; 0 serves all in this one (default ${defaultConnectionProcesses()} here)`,
    )
    .action((file: string, opts: ServeOptions) => serve(file, opts));
  nbd
    .command('copy')
    .description('Copy a disk between NBD URIs (nbd://, nbds://, nbd+unix://) or local files')
    .argument('<source>', 'source URI or file')
    .argument('<destination>', 'destination URI or file')
    .option(
      '--connections <n>',
      `connections per side, used when the servers allow multi-conn (default one per copying process: ${defaultCopyConnections()} here)`,
    )
    .option('--in-flight <m>', 'requests in flight per connection', String(DEFAULT_IN_FLIGHT))
    .option('--request-size <bytes>', 'bytes per request')
    .option(
      '--workers <n>',
      `lane processes sharing the connections when both sides are URIs (0: this process; default ${DEFAULT_COPY_WORKERS} on this machine)`,
    )
    .option('--json', 'print the result as JSON')
    .action((source: string, destination: string, opts: CopyCommandOptions) => copy(source, destination, opts));
}
