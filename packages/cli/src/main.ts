import { Command } from 'commander';
import { VERSION } from '@migratekit/core';
import { registerNbdCommands } from './commands/nbd.command';
import { registerAgentCommand } from './commands/agent.command';
import { registerBackupCommands } from './commands/backup.command';
import { registerDiscoverCommand } from './commands/discover.command';
import { registerFailoverCommands } from './commands/failover.command';
import { registerFailoverRecoveryCommands } from './commands/failover-recovery.command';
import { registerGroupCommands } from './commands/group.command';
import { registerLoginCommand } from './commands/login.command';
import { registerNetworkCommands } from './commands/network.command';
import { registerReplicateCommand } from './commands/replicate.command';
import { registerScheduleCommands } from './commands/schedule.command';
import { registerPlanCommands } from './commands/plan.command';
import { registerServerCommands } from './commands/server.command';
import { registerVmCommands } from './commands/vm.command';
import { registerSimCloudStackCommand } from './dev/sim-cloudstack.command';
import { registerSimVcenterCommand } from './dev/sim-vcenter.command';

// Each area registers its own subcommands; this file only assembles them.
const program = new Command('migratekit')
  .description('Move and protect VMware vSphere VMs into Apache CloudStack')
  .version(VERSION);
registerServerCommands(program);
registerAgentCommand(program);
registerBackupCommands(program);
registerLoginCommand(program);
registerDiscoverCommand(program);
registerVmCommands(program);
registerReplicateCommand(program);
registerNetworkCommands(program);
registerFailoverCommands(program);
// After the failover command (when present): cleanup and rollback are its subcommands.
registerFailoverRecoveryCommands(program);
registerScheduleCommands(program);
registerGroupCommands(program);
registerPlanCommands(program);
registerSimVcenterCommand(program);
registerSimCloudStackCommand(program);
registerNbdCommands(program);
// Set last, so it is not inherited: the root's own options (--version) come first, and a group such as
// `agent` gets the options written after its subcommand (`agent pair --server ...`) passed on to that subcommand.
program.enablePositionalOptions();

await program.parseAsync(process.argv);
