// `migratekit agent --server https://HOST:PORT --pairing-token T`: pairs once, then keeps the control channel
// up. `migratekit agent pair --server URL --token T` only pairs (the Debian package's first step, before the
// service starts); afterwards --server may be left out: the stored credential names the server.
// `migratekit agent token` asks the server (admin) for a one-time pairing token. The same run and pair
// commands make the `migratekit-agent` program (agent-main.ts). Options also come from MIGRATEKIT_AGENT_*
// variables, so a systemd unit can take them from /etc/migratekit/agent.env (docs/install.md).
import { hostname } from 'node:os';
import { resolve } from 'node:path';
import {
  NbdkitVddkDiskAccess,
  SimulatorDiskAccess,
  pairAgent,
  pairedServerUrl,
  runAgent,
  type DiskAccess,
} from '@migratekit/agent';
import { Option, type Command } from 'commander';
import { createAgentLogger } from '../lib/agent-logger';
import { printJson } from '../lib/output';
import { action, client, type JsonOption } from '../lib/run-command';

interface AgentOptions {
  server?: string;
  pairingToken?: string;
  stateDir: string;
  name: string;
  vddkLibdir?: string;
  vddkTransports?: string;
  simNbd?: string;
  vcenterThumbprint: string[];
  exitWithParent?: boolean;
}

interface PairOptions {
  server: string;
  token: string;
  stateDir: string;
  name: string;
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

function stateDirOption(): Option {
  return new Option('--state-dir <dir>', 'where the agent keeps its credential')
    .env('MIGRATEKIT_AGENT_STATE_DIR')
    .default('./agent-data');
}

function nameOption(): Option {
  return new Option('--name <name>', 'agent name shown on the server').env('MIGRATEKIT_AGENT_NAME').default(hostname());
}

async function runAgentCommand(options: AgentOptions): Promise<void> {
  const stateDir = resolve(options.stateDir);
  const server = options.server ?? pairedServerUrl(stateDir);
  if (server === undefined) throw new Error(`--server is required (no credential in ${stateDir} yet)`);
  const thumbprints = Object.fromEntries(
    options.vcenterThumbprint.map((pair) => {
      const at = pair.indexOf('=');
      return [pair.slice(0, at), pair.slice(at + 1)];
    }),
  );
  const logger = createAgentLogger(process.env.LOG_LEVEL ?? 'info');
  const running = await runAgent({
    serverUrl: server,
    pairingToken: options.pairingToken ?? process.env.MIGRATEKIT_PAIRING_TOKEN,
    stateDir,
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
    // The parent (migratekit dev) holds our stdin open: its end means the parent is gone.
    process.stdin.once('end', stop);
    process.stdin.resume();
  }
}

/** The run options and action, on `migratekit agent` or on the root of `migratekit-agent`. */
export function defineAgentRun(command: Command): Command {
  // Positional: `pair --server ...` gives its options to pair, not to the run options of the same names.
  return command
    .enablePositionalOptions()
    .addOption(new Option('--server <url>', 'the server agent URL, https://HOST:PORT').env('MIGRATEKIT_AGENT_SERVER'))
    .option('--pairing-token <token>', 'one-time token from `migratekit agent token` (first start only)')
    .addOption(stateDirOption())
    .addOption(nameOption())
    .addOption(
      new Option('--vddk-libdir <dir>', 'VDDK directory for nbdkit-vddk (production disk access)').env(
        'MIGRATEKIT_VDDK_LIBDIR',
      ),
    )
    .addOption(
      new Option('--vddk-transports <list>', 'VDDK transports, colon-separated (e.g. nbdssl:nbd)').env(
        'MIGRATEKIT_VDDK_TRANSPORTS',
      ),
    )
    .option('--sim-nbd <host:port>', 'read snapshot disks from the vCenter simulator instead of VDDK')
    .option('--vcenter-thumbprint <host=thumbprint>', 'pin a vCenter certificate (repeatable)', collect, [])
    .option('--exit-with-parent', 'stop when standard input closes (the parent process ended; used by migratekit dev)')
    .action(action(runAgentCommand));
}

/** `pair --server URL --token T`: trades the one-time token for the agent credential and exits. */
export function defineAgentPair(parent: Command): Command {
  return parent
    .command('pair')
    .description('Pair this agent with a server once (stores the credential in the state directory) and exit')
    .requiredOption('--server <url>', 'the server agent URL, https://HOST:PORT')
    .requiredOption('--token <token>', 'one-time pairing token (dashboard setup page or `migratekit agent token`)')
    .addOption(stateDirOption())
    .addOption(nameOption())
    .action(
      action(async (options: PairOptions) => {
        const stateDir = resolve(options.stateDir);
        const credential = await pairAgent({
          serverUrl: options.server,
          pairingToken: options.token,
          stateDir,
          name: options.name,
        });
        process.stdout.write(
          `paired as agent ${credential.agent_id} with ${options.server} (credential in ${stateDir})\n`,
        );
      }),
    );
}

export function registerAgentCommand(program: Command): void {
  const agent = defineAgentRun(
    program
      .command('agent')
      .description('Run the source-side agent (pairs once with --pairing-token, then connects out to the server)'),
  );
  defineAgentPair(agent);

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
