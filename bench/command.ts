import { Argument, Command, type CommandUnknownOpts } from '@commander-js/extra-typings';
import { EXIT_FAILURE, EXIT_OK, withStatus } from '../bin/cli/exit-status.ts';
import { environmentHelp, exitStatusHelp } from '../bin/cli/help-text.ts';
import { benchGroups } from './groups.ts';

const names = Object.keys(benchGroups);
const width = Math.max(...names.map((name) => name.length));

const about = `
groups:
${names.map((name) => `  ${name.padEnd(width)}  ${benchGroups[name]?.about ?? ''}`).join('\n')}

Every store lives in a fresh temp directory, removed at the end. Sized for well under a minute per group on 2 cores.
${environmentHelp([
  ['BENCH_WORK_AGENTS', "'work': eligible agents (default 1000)"],
  ['BENCH_WORK_JOBS', "'work': jobs assigned by criteria (default 50)"],
  ['BENCH_WORK_SERIAL_JOBS', "'work': jobs submitted one at a time (default 10)"],
  ['BENCH_WORK_ASSESSMENTS', "'work': assessments (default 20)"],
  ['BENCH_WORK_NATS_JOBS', "'work': jobs auctioned over NATS (default 15)"],
  ['NATS_URL', "'work': the NATS server (default nats://127.0.0.1:4222 when reachable, else its part prints 'skipped')"],
])}
${exitStatusHelp('0 every group ran; 1 a group failed; 2 bad usage (an unknown group or flag)')}`;

/** `npm run bench -- [group...]`: one JSON line per figure on stdout, progress on stderr. */
export function benchCommand(): CommandUnknownOpts {
  return new Command('bench')
    .description('the benchmarks, run as `npm run bench -- [group...]`: one JSON line per figure on stdout, progress on stderr')
    .addArgument(new Argument('[group...]', 'the groups to run (all by default)').choices(names))
    .addHelpText('after', about)
    .action(
      withStatus(async (groups) => {
        const { runBenchmarks } = await import('./run-groups.ts');
        try {
          await runBenchmarks(groups.length > 0 ? groups : names);
          return EXIT_OK;
        } catch (error) {
          process.stderr.write(`[bench] failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
          return EXIT_FAILURE;
        }
      }),
    );
}
