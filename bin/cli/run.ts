import { CommanderError, type CommandUnknownOpts } from '@commander-js/extra-typings';
import { ConfigError } from '../../infra/config/env.ts';
import { CliFailure, EXIT_FAILURE, EXIT_OK, EXIT_USAGE, ExitStatus } from './exit-status.ts';

export interface CliOutput {
  out(text: string): void;
  err(text: string): void;
}

export interface RunOptions {
  /** How users start the root command, when that is not its name (`npm run bench --`): used in hints. */
  invocation?: string;
  output?: CliOutput;
}

const processOutput: CliOutput = {
  out: (text) => void process.stdout.write(text),
  err: (text) => void process.stderr.write(text),
};

/** Every command of the tree, the root first. */
export function commandTree(root: CommandUnknownOpts): CommandUnknownOpts[] {
  return [root, ...root.commands.flatMap((command) => commandTree(command))];
}

/** `agencygrid audit state`: how a user types the command. */
export function commandPath(command: CommandUnknownOpts, invocation?: string): string {
  const names: string[] = [];
  for (let current: CommandUnknownOpts | null = command; current !== null; current = current.parent) {
    names.unshift(current.parent === null && invocation !== undefined ? invocation : current.name());
  }
  return names.join(' ');
}

/**
 * Commander's `error: unknown option '--x'\n(Did you mean --y?)` as one line that names the command and where its
 * help is: a user reading a terminal or a CI log sees what was wrong and what to type next.
 */
export function usageLine(raw: string, path: string, helpPath = path): string {
  const message = raw
    .trim()
    .replace(/^error: /, '')
    .replace(/\n\(Did you mean (.+)\?\)$/, ' (did you mean $1?)')
    .replace(/\s*\n\s*/g, ' ')
    .replace(/\.$/, '');
  return `${path}: ${message}; see '${helpPath} --help'\n`;
}

/**
 * Parses argv with the program and runs the chosen action. Returns the exit status instead of exiting, so the tree
 * can be run in-process by tests: 0 done (and --help), 2 bad usage, otherwise what the action reported.
 */
export async function runCli(program: CommandUnknownOpts, argv: readonly string[], options: RunOptions = {}): Promise<number> {
  const output = options.output ?? processOutput;
  for (const command of commandTree(program)) {
    const path = commandPath(command);
    const helpPath = commandPath(command, options.invocation);
    command.exitOverride();
    command.configureOutput({
      writeOut: output.out,
      writeErr: output.err,
      outputError: (text, write) => write(usageLine(text, path, helpPath)),
    });
  }
  const prefix = program.name();
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return EXIT_OK;
  } catch (error) {
    if (error instanceof ExitStatus) return error.code;
    if (error instanceof CommanderError) return commanderStatus(error);
    if (error instanceof ConfigError) {
      output.err(`${prefix}: ${error.message}\n`);
      return EXIT_USAGE;
    }
    if (error instanceof CliFailure) {
      output.err(`${prefix}: ${error.message}\n`);
      return error.code;
    }
    // Not foreseen, so a bug: the stack is what whoever fixes it needs.
    output.err(`${prefix}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    return EXIT_FAILURE;
  }
}

function commanderStatus(error: CommanderError): number {
  if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version') return EXIT_OK;
  // Help shown because a command needs a subcommand and got none: a usage error, like any other.
  if (error.code === 'commander.help') return error.exitCode === 0 ? EXIT_OK : EXIT_USAGE;
  return EXIT_USAGE;
}
