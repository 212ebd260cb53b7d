// The CLI as a newcomer runs it after `npm start`: a dev stack on ephemeral ports with a throwaway data dir (its
// cli-token is found without a login), and the real `bin/migratekit.mjs` run as a child process.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createLogger } from '@migratekit/server';
import { startDevStack, type DevStack } from '@migratekit/server/dev';
import type { InventorySpec } from '@migratekit/sim-vcenter';

export const run = promisify(execFile);
export const BIN = new URL('../../../bin/migratekit.mjs', import.meta.url).pathname;

export interface CliOnDevStack {
  stack: DevStack;
  dataDir: string;
  /** The environment the CLI runs with: the stack's URL and data dir, no config file, no token variable. */
  env: NodeJS.ProcessEnv;
  /** Runs `migratekit <args> --json` and parses its output. */
  cli: <T>(...args: string[]) => Promise<T>;
}

export async function cliOnDevStack(
  t: { after(fn: () => unknown): void },
  inventory: InventorySpec,
  prefix: string,
  stackEnv: Record<string, string> = {},
): Promise<CliOnDevStack> {
  const dataDir = mkdtempSync(join(tmpdir(), prefix));
  t.after(() => rmSync(dataDir, { recursive: true, force: true }));
  const stack = await startDevStack({
    env: { MIGRATEKIT_DATA_DIR: dataDir, PORT: '0', LOG_LEVEL: 'silent', ...stackEnv },
    logger: createLogger({ level: 'silent' }),
    out: () => undefined,
    inventory,
    guestWrites: false,
  });
  t.after(() => stack.close());
  const env = {
    ...process.env,
    MIGRATEKIT_URL: stack.url,
    MIGRATEKIT_DATA_DIR: dataDir,
    MIGRATEKIT_CLI_CONFIG: join(dataDir, 'no-cli.json'),
    MIGRATEKIT_TOKEN: '',
  };
  return {
    stack,
    dataDir,
    env,
    cli: async <T>(...args: string[]): Promise<T> => {
      const { stdout } = await run(process.execPath, [BIN, ...args, '--json'], { env });
      return JSON.parse(stdout) as T;
    },
  };
}
