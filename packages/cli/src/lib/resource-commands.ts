// The `<resource> list` and `<resource> delete <id or name>` subcommands shared by the schedule, group and plan
// commands.
import type { Command } from 'commander';
import { printJson, printTable } from './output';
import { action, type JsonOption } from './run-command';

/**
 * Adds `delete <argument>` to `parent`: `remove` resolves the id or name, deletes, and returns the id; the
 * command prints "Deleted <noun> <id>", or `{ id, deleted: true }` with --json.
 */
export function addDeleteCommand(
  parent: Command,
  noun: string,
  argument: string,
  remove: (value: string) => Promise<string>,
): void {
  parent
    .command('delete')
    .argument(`<${argument}>`, 'id or name')
    .option('--json', 'machine-readable output')
    .action(
      action(async (value: string, options: JsonOption) => {
        const id = await remove(value);
        if (options.json === true) return printJson({ id, deleted: true });
        process.stdout.write(`Deleted ${noun} ${id}\n`);
      }),
    );
}

/**
 * Adds `list` to `parent`: prints `fetch()`'s items as a table of `columns` (each item made a row by `toRow`), or
 * the items as they came with --json.
 */
export function addListCommand<T>(
  parent: Command,
  description: string,
  fetch: () => Promise<T[]>,
  columns: string[],
  toRow: (item: T) => Record<string, unknown>,
): void {
  parent
    .command('list')
    .description(description)
    .option('--json', 'machine-readable output')
    .action(
      action(async (options: JsonOption) => {
        const all = await fetch();
        if (options.json === true) return printJson(all);
        printTable(all.map(toRow), columns);
      }),
    );
}
