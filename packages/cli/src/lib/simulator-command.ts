// What the `migratekit sim <name>` commands share: the `sim` group, option parsing, running until a signal.
import type { Command } from 'commander';

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
