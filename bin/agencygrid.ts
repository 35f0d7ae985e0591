import { buildProgram } from './program.ts';
import { runCli } from './cli/run.ts';

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

// `serve` resolves only once the server has stopped, so every command ends here with its status.
exitAfterFlush(await runCli(buildProgram(), process.argv.slice(2)));
