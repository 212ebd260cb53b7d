// The agent of `migratekit dev` as its own process, as in production: `migratekit agent` started as a child,
// paired with a one-time pairing token like any agent (only when it holds no credential for this server), its
// log lines folded into the dev log, and started again when it exits, so killing it shows what losing an agent
// does to a running job (docs/agent.md#the-agent-in-migratekit-dev).
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { systemClock, type Clock } from '@migratekit/core';
import type { Logger } from 'pino';

/** The file `migratekit agent` keeps its credential in (packages/agent/src/agent.ts). */
const CREDENTIAL_FILE = 'agent-credential.json';
const CLI_ENTRY = fileURLToPath(new URL('../../../../bin/migratekit.mjs', import.meta.url));
const PINO_LEVELS: Record<number, 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal'> = {
  10: 'trace',
  20: 'debug',
  30: 'info',
  40: 'warn',
  50: 'error',
  60: 'fatal',
};

export interface DevAgentProcessOptions {
  /** https://host:port of the server's agent listener. */
  serverUrl: string;
  stateDir: string;
  name: string;
  /** A one-time pairing token, asked for only when the agent holds no credential for serverUrl. */
  issuePairingToken: () => Promise<string>;
  /** host:port of the simulator's snapshot disks (`migratekit agent --sim-nbd`). */
  simNbd: string;
  /** host:port=sha256 of the vCenter simulator's certificate. */
  vcenterThumbprint: string;
  logLevel: string;
  logger: Logger;
  clock?: Clock;
  /** Pause before a restart, so a crash loop does not spin (default 500 ms). */
  restartDelayMs?: number;
}

/** The agent id of the credential in stateDir when it belongs to serverUrl. */
export function pairedAgentId(stateDir: string, serverUrl: string): string | undefined {
  const path = join(stateDir, CREDENTIAL_FILE);
  if (!existsSync(path)) return undefined;
  const stored = JSON.parse(readFileSync(path, 'utf8')) as { agent_id?: unknown; server_url?: unknown };
  return stored.server_url === serverUrl && typeof stored.agent_id === 'string' ? stored.agent_id : undefined;
}

export class DevAgentProcess {
  private child: ChildProcess | undefined;
  private closing = false;
  private starts = 0;
  private readonly clock: Clock;

  constructor(private readonly options: DevAgentProcessOptions) {
    this.clock = options.clock ?? systemClock;
  }

  /** The running agent's process id (undefined between a death and its restart). */
  get pid(): number | undefined {
    return this.child?.exitCode === null && this.child.signalCode === null ? this.child.pid : undefined;
  }

  /** How many times the agent was started again after it exited. */
  get restarts(): number {
    return Math.max(0, this.starts - 1);
  }

  async start(): Promise<void> {
    const { options } = this;
    const paired = pairedAgentId(options.stateDir, options.serverUrl) !== undefined;
    const args = [
      CLI_ENTRY,
      'agent',
      '--server',
      options.serverUrl,
      '--state-dir',
      options.stateDir,
      '--name',
      options.name,
      '--sim-nbd',
      options.simNbd,
      '--vcenter-thumbprint',
      options.vcenterThumbprint,
      '--exit-with-parent',
    ];
    // In the environment, not on the command line that every user of the machine can read.
    const pairing = paired ? {} : { MIGRATEKIT_PAIRING_TOKEN: await options.issuePairingToken() };
    // close() may have come while the token was issued: no child may outlive it.
    if (this.closing) return;
    const child = spawn(process.execPath, args, {
      env: { ...process.env, LOG_LEVEL: options.logLevel, ...pairing },
      // stdin stays open: its end tells the agent that this process is gone (--exit-with-parent).
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    this.child = child;
    this.starts += 1;
    const logger = options.logger.child({ component: 'agent', pid: child.pid });
    this.forwardLog(child, logger);
    child.once('error', (error) => logger.error({ err: error }, 'dev agent process could not start'));
    child.once('exit', (code, signal) => {
      if (this.closing) return;
      logger.warn({ code, signal }, 'dev agent process exited; starting it again');
      this.restartLater(logger);
    });
    logger.info({ paired }, 'dev agent process started');
  }

  /** Stops the agent for good: SIGTERM, then SIGKILL if it has not exited in 5 s. */
  async close(): Promise<void> {
    this.closing = true;
    const child = this.child;
    if (child === undefined || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    const abort = new AbortController();
    const forced = this.clock.sleep(5_000, abort.signal).then(
      () => child.kill('SIGKILL'),
      () => undefined,
    );
    await exited;
    abort.abort();
    await forced;
  }

  private restartLater(logger: Logger): void {
    this.clock
      .sleep(this.options.restartDelayMs ?? 500)
      .then(() => (this.closing ? undefined : this.start()))
      .catch((error: unknown) => logger.error({ err: error }, 'dev agent process could not be restarted'));
  }

  /** The agent logs pino JSON lines: each becomes a line of the dev log at its own level. */
  private forwardLog(child: ChildProcess, logger: Logger): void {
    for (const stream of [child.stdout, child.stderr]) {
      if (stream === null) continue;
      createInterface({ input: stream }).on('line', (line) => {
        let entry: Record<string, unknown> | undefined;
        try {
          entry = JSON.parse(line) as Record<string, unknown>;
        } catch {
          entry = undefined;
        }
        if (entry === undefined || typeof entry.msg !== 'string') {
          logger.info({ line }, 'agent output');
          return;
        }
        const { level, msg, time: _time, pid: _pid, hostname: _host, ...fields } = entry;
        logger[PINO_LEVELS[Number(level)] ?? 'info'](fields, msg);
      });
    }
  }
}
