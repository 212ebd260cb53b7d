// `migratekit agent --server https://HOST:PORT --pairing-token T`: pairs once, then keeps the control channel
// up. `migratekit agent token` asks the server (admin) for a one-time pairing token.
import { hostname } from 'node:os';
import { resolve } from 'node:path';
import { NbdkitVddkDiskAccess, SimulatorDiskAccess, runAgent, type DiskAccess } from '@migratekit/agent';
import type { Command } from 'commander';
import { createAgentLogger } from '../lib/agent-logger';
import { printJson } from '../lib/output';
import { action, client, type JsonOption } from '../lib/run-command';

interface AgentOptions {
  server: string;
  pairingToken?: string;
  stateDir: string;
  name: string;
  vddkLibdir?: string;
  vddkTransports?: string;
  simNbd?: string;
  vcenterThumbprint: string[];
  exitWithParent?: boolean;
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

function diskAccessFrom(options: AgentOptions): DiskAccess {
  if (options.simNbd !== undefined) {
    const [host, port] = options.simNbd.split(/:(?=\d+$)/);
    return new SimulatorDiskAccess({ host: host ?? '127.0.0.1', port: Number(port) });
  }
  if (options.vddkLibdir === undefined)
    throw new Error('give --vddk-libdir (production) or --sim-nbd host:port (the vCenter simulator)');
  return new NbdkitVddkDiskAccess({
    libdir: options.vddkLibdir,
    ...(options.vddkTransports === undefined ? {} : { transports: options.vddkTransports.split(':') }),
  });
}

export function registerAgentCommand(program: Command): void {
  const agent = program
    .command('agent')
    .description('Run the source-side agent (pairs once with --pairing-token, then connects out to the server)')
    .option('--server <url>', 'the server agent URL, https://HOST:PORT')
    .option(
      '--pairing-token <token>',
      'one-time token from `migratekit agent token` (first start only; or MIGRATEKIT_PAIRING_TOKEN, kept out of ps)',
    )
    .option('--state-dir <dir>', 'where the agent keeps its credential', './agent-data')
    .option('--name <name>', 'agent name shown on the server', hostname())
    .option('--vddk-libdir <dir>', 'VDDK directory for nbdkit-vddk (production disk access)')
    .option('--vddk-transports <list>', 'VDDK transports, colon-separated (e.g. nbdssl:nbd)')
    .option('--sim-nbd <host:port>', 'read snapshot disks from the vCenter simulator instead of VDDK')
    .option('--vcenter-thumbprint <host=thumbprint>', 'pin a vCenter certificate (repeatable)', collect, [])
    .option('--exit-with-parent', 'stop when standard input closes (the parent process ended; used by migratekit dev)')
    .action(
      action(async (options: AgentOptions) => {
        if (options.server === undefined) throw new Error('--server is required');
        const thumbprints = Object.fromEntries(
          options.vcenterThumbprint.map((pair) => {
            const at = pair.indexOf('=');
            return [pair.slice(0, at), pair.slice(at + 1)];
          }),
        );
        const logger = createAgentLogger(process.env.LOG_LEVEL ?? 'info');
        const running = await runAgent({
          serverUrl: options.server,
          pairingToken: options.pairingToken ?? process.env.MIGRATEKIT_PAIRING_TOKEN,
          stateDir: resolve(options.stateDir),
          name: options.name,
          diskAccess: diskAccessFrom(options),
          vcenterThumbprints: thumbprints,
          logger,
        });
        const stop = (): void => {
          void running.close().then(() => process.exit(0));
        };
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
        if (options.exitWithParent === true) {
          process.stdin.once('end', stop);
          process.stdin.resume();
        }
      }),
    );

  agent
    .command('token')
    .description('Create a one-time pairing token (admin)')
    .option('--ttl <seconds>', 'lifetime in seconds', '3600')
    .option('--json', 'machine-readable output')
    .action(
      action(async (options: JsonOption & { ttl: string }) => {
        const issued = await client().request<{ token: string; expires_at: string }>(
          'POST',
          '/api/v1/agents/pairing-tokens',
          {
            ttl_seconds: Number(options.ttl),
          },
        );
        if (options.json === true) return printJson(issued);
        process.stdout.write(`${issued.token}\n(expires ${issued.expires_at}; usable once)\n`);
      }),
    );
}
