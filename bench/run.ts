/**
 * `npm run bench`: one JSON line per figure on stdout, progress on stderr. `npm run bench -- disk append ...` runs
 * only the named groups (all by default); `npm run bench -- --help` lists them. The groups are in groups.ts.
 */
import { runCli } from '../bin/cli/run.ts';
import { benchCommand } from './command.ts';

process.exitCode = await runCli(benchCommand(), process.argv.slice(2), { invocation: 'npm run bench --' });
