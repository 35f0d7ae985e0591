import { ConfigError } from '../infra/config/env.ts';
import { serve } from './serve.ts';

const usage = `usage: agencygrid <command>

commands:
  serve    run the platform (HTTP API on HOST:PORT, data under DATA_DIR)
`;

async function main(argv: readonly string[]): Promise<number> {
  const [command] = argv;
  switch (command) {
    case 'serve':
      await serve();
      return -1;
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

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exit(code);
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
