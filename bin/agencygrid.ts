import { CommanderError, type CommandUnknownOpts } from '@commander-js/extra-typings';
import { ConfigError } from '../infra/config/env.ts';
import { applyCommand } from './apply/cli.ts';
import { auditCommand } from './audit/cli.ts';
import { projectionsCommand } from './projections.ts';
import { serve } from './serve.ts';

const usage = `usage: agencygrid <command>

commands:
  serve                         run the platform (HTTP API on HOST:PORT, data under DATA_DIR)
  apply -f <spec> [--dry-run]   make an org match a declarative spec (YAML or JSON) through the API
                                at AGENCYGRID_URL with AGENCYGRID_API_KEY; see 'agencygrid apply --help'
  audit state|reevaluate|what-if <org> ...
                                audit replay: an org as of a position or time, every recorded decision
                                re-evaluated, a draft policy against history; see 'agencygrid audit --help'
  projections status|rebuild|parked|park|retry ...
                                the read side: projection lag, rebuilding a read model from the log, parking
                                an event a projection cannot apply; see 'agencygrid projections --help'
  bus-setup <dir> [--force]     keys of a secured NATS bus (operator, accounts, the platform's credentials)
  backup <file>                 copy the embedded event store (DATA_DIR) into one verified file, while the server runs
  restore <file> --data-dir <dir>
                                restore a backup into a new data dir; see 'agencygrid restore --help'
`;

async function main(argv: readonly string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'serve':
      await serve();
      return -1;
    case 'apply':
      return applyCommand(rest);
    case 'audit':
      return auditCommand(rest);
    case 'projections':
      return projectionsCommand(rest);
    case 'bus-setup':
      return (await import('./bus-setup.ts')).busSetupCommand(rest);
    case 'backup':
      return runCommander((await import('./backup/command.ts')).backupCommand(), rest);
    case 'restore':
      return runCommander((await import('./backup/command.ts')).restoreCommand(), rest);
    case undefined:
    case 'help':
    case '--help':
      process.stdout.write(usage);
      return command === undefined ? 2 : 0;
    default:
      process.stderr.write(`unknown command '${command}'\n${usage}`);
      return 2;
  }
}

/** A commander command run alone: its action sets process.exitCode; usage errors and help end in a CommanderError. */
async function runCommander(command: CommandUnknownOpts, argv: readonly string[]): Promise<number> {
  try {
    await command.parseAsync([...argv], { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode;
    throw error;
  }
  return Number(process.exitCode ?? 0);
}

/** Exits once stdout and stderr have taken everything written (pipes are asynchronous on some platforms). */
function exitAfterFlush(code: number): void {
  let pending = 2;
  const done = () => {
    pending -= 1;
    if (pending === 0) process.exit(code);
  };
  process.stdout.write('', done);
  process.stderr.write('', done);
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) exitAfterFlush(code);
  },
  (error: unknown) => {
    if (error instanceof ConfigError) {
      process.stderr.write(`agencygrid: ${error.message}\n`);
      process.exit(2);
    }
    process.stderr.write(`agencygrid: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
