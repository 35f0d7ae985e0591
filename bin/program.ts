import { Command, type CommandUnknownOpts } from '@commander-js/extra-typings';
import { adminKeyCommand } from './admin-key.ts';
import { applyCommand } from './apply/cli.ts';
import { auditCommand } from './audit/cli.ts';
import { backupCommand, restoreCommand } from './backup/command.ts';
import { busSetupCommand } from './bus-setup.ts';
import { policyCommand } from './policy/command.ts';
import { projectionsCommand } from './projections.ts';
import { serveCommand } from './serve.ts';

/**
 * Every `agencygrid` command, in the order --help lists them. A command is a factory in its own file
 * (`fooCommand(): CommandUnknownOpts`) that loads what its action needs only when it runs, so --help is fast and
 * starts nothing. To add one, import its factory and add it to this list.
 */
const commands: ReadonlyArray<() => CommandUnknownOpts> = [
  serveCommand,
  applyCommand,
  auditCommand,
  projectionsCommand,
  busSetupCommand,
  adminKeyCommand,
  backupCommand,
  restoreCommand,
  () => policyCommand(),
];

/** The whole command tree, built fresh (commander keeps parsed values on the command objects). */
export function buildProgram(): CommandUnknownOpts {
  const program = new Command('agencygrid')
    .description('AgencyGrid: a governance platform for organisations of AI agents')
    .addHelpText(
      'after',
      "\nSettings come from environment variables; each command's --help lists the ones it reads (docs/cli.md).\nexit status: 0 done; 1 failed; 2 bad usage or invalid configuration (audit: 3 the API refused)",
    );
  for (const command of commands) program.addCommand(command());
  return program;
}
