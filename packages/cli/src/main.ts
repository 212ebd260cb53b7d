import { Command } from 'commander';
import { VERSION } from '@migratekit/core';
import { registerNbdCommands } from './commands/nbd.command';
import { registerServerCommands } from './commands/server.command';
import { registerSimCloudStackCommand } from './commands/sim-cloudstack.command';
import { registerSimVcenterCommand } from './commands/sim-vcenter.command';

// Each area registers its own subcommands; this file only assembles them.
const program = new Command('migratekit')
  .description('Move and protect VMware vSphere VMs into Apache CloudStack')
  .version(VERSION);
registerServerCommands(program);
registerSimVcenterCommand(program);
registerSimCloudStackCommand(program);
registerNbdCommands(program);

await program.parseAsync(process.argv);
