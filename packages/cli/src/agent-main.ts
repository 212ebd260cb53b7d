// Entry point of `migratekit-agent`, the program of the agent's release and Debian package: running the agent
// is the default command, `pair` pairs it once. It carries no server code (see scripts/release/).
import { Command } from 'commander';
import { VERSION } from '@migratekit/core';
import { defineAgentPair, defineAgentRun } from './commands/agent.command';

const program = defineAgentRun(
  new Command('migratekit-agent')
    .description('The MigrateKit agent next to vCenter: `pair` once, then run (the default) to serve the server')
    .version(VERSION),
);
defineAgentPair(program);

await program.parseAsync(process.argv);
