// What the `migratekit sim <name>` commands and `migratekit dev` share: the `sim` group, option parsing, running
// until a signal, and loading the simulator packages only when such a command runs (a production install has
// none of them: the main CLI never imports them).
import type { Command } from 'commander';

/** Imports a development-only package, or explains that this install has none. */
export async function loadDevModule<T>(load: () => Promise<T>, what: string): Promise<T> {
  try {
    return await load();
  } catch (error) {
    if ((error as { code?: unknown }).code === 'ERR_MODULE_NOT_FOUND')
      throw new Error(`${what} is a development tool and is not part of this installation (use a source checkout)`, {
        cause: error,
      });
    throw error;
  }
}

/** The `sim` group: shared by the simulator commands, so reuse it when another module created it first. */
export function simulatorGroup(program: Command): Command {
  return (
    program.commands.find((c) => c.name() === 'sim') ??
    program.command('sim').description('Run a simulator of an external system')
  );
}

/** A non-negative integer option value; `name` is the flag, for the error message. */
export function nonNegativeInteger(value: string, name: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new Error(`${name} must be a non-negative integer, got ${value}`);
  return n;
}

/** Closes the simulator on SIGINT/SIGTERM and exits; a second signal while closing exits at once. */
export function closeOnSignals(close: () => Promise<void>): void {
  let stopping = false;
  const stop = (): void => {
    if (stopping) process.exit(130);
    stopping = true;
    close().then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(`shutdown failed: ${error instanceof Error ? error.message : String(error)}\n`);
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

/** A simulator command's action: a start failure is one line on stderr and exit code 1 (nothing keeps running). */
export function simulatorAction<O>(run: (opts: O) => Promise<void>): (opts: O) => Promise<void> {
  return async (opts: O) => {
    try {
      await run(opts);
    } catch (error) {
      process.stderr.write(`migratekit: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exit(1);
    }
  };
}
