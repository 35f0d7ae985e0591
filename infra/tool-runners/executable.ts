import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { constants } from 'node:fs';
import { access } from 'node:fs/promises';
import { inScratchDirectory, killGroup, spawnInGroup } from './child-process.ts';
import { CallDeadline } from './deadline.ts';
import { CANCELLED, CallClock, CappedBytes, outputTooLarge, parsedOutput, TailText } from './outcome.ts';
import type { ToolRunResult } from './port.ts';
import { limitedCommand } from './resource-limits.ts';
import type { ExecutableEndpoint, ToolCallOf } from './runnable-tool.ts';

/**
 * The `executable` kind: the registered program started per call, out of the server process, with only the spec's
 * environment, in a scratch directory removed afterwards, under memory and CPU limits (resource-limits.ts), its input
 * as JSON on stdin and its output as JSON on stdout. Its whole process group is killed at the timeout, on a flood of
 * output and on cancel, and when the call is over (nothing it started outlives the call).
 */
export class ExecutableToolRunner {
  async run(call: ToolCallOf<ExecutableEndpoint>): Promise<ToolRunResult> {
    const clock = new CallClock();
    const { endpoint } = call.tool;
    if (call.signal.aborted) return clock.failed('cancelled', CANCELLED);
    const startable = await access(endpoint.command, constants.X_OK).then(
      () => true,
      () => false,
    );
    if (!startable) return clock.failed('unreachable', `the tool's executable ${endpoint.command} does not exist or may not be executed`);
    return inScratchDirectory((directory) => {
      const limited = limitedCommand(endpoint.command, endpoint.args, endpoint);
      const child = spawnInGroup(limited.command, limited.args, { cwd: directory, env: { ...endpoint.env } });
      return supervised(child, call, clock);
    });
  }
}

/** Feeds the input, collects the output within its cap, and answers once the process (and its group) is gone. */
function supervised(child: ChildProcessWithoutNullStreams, call: ToolCallOf<ExecutableEndpoint>, clock: CallClock): Promise<ToolRunResult> {
  const { tool } = call;
  const stdout = new CappedBytes(tool.maxOutputBytes);
  const stderr = new TailText();
  const deadline = new CallDeadline(tool.timeoutMs, call.signal);
  return new Promise((resolve) => {
    let verdict: ToolRunResult | undefined;
    let gone = false;
    const settle = () => {
      if (verdict === undefined || !gone) return;
      deadline.dispose();
      killGroup(child);
      resolve(verdict);
    };
    // Decided before the process is gone: kill the group and stop reading; the answer waits for the exit, so the
    // scratch directory is removed after the tool, not under it.
    const stop = (result: ToolRunResult) => {
      if (verdict !== undefined) return;
      verdict = result;
      killGroup(child);
      child.stdout.destroy();
      child.stderr.destroy();
      settle();
    };
    child.stdout.on('data', (chunk: Buffer) => {
      if (!stdout.push(chunk)) stop(clock.failed('output_too_large', outputTooLarge(tool.maxOutputBytes)));
    });
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    child.once('error', (error) => {
      // The only 'error' here is a failed spawn (the group is killed with process.kill): no exit will follow.
      gone = true;
      stop(clock.failed('unreachable', `the tool could not be started (${error.message})`));
    });
    child.once('exit', () => {
      gone = true;
      settle();
    });
    // 'close' comes after the output is complete: only then is a clean exit's output whole.
    child.once('close', (code, signal) => {
      gone = true;
      if (verdict === undefined) verdict = code === 0 && signal === null ? parsedOutput(stdout.text(), clock) : crashed(code, signal, tool, stderr, clock);
      settle();
    });
    deadline.onStop(() => stop(deadline.failure(clock)));
    child.stdin.end(JSON.stringify(call.input));
  });
}

function crashed(
  code: number | null,
  signal: NodeJS.Signals | null,
  tool: ToolCallOf<ExecutableEndpoint>['tool'],
  stderr: TailText,
  clock: CallClock,
): ToolRunResult {
  const { memoryMb, cpuSeconds } = tool.endpoint;
  const how = signal === null ? `exited with code ${code}` : `was killed by ${signal}`;
  return clock.failed('crashed', `the tool ${how} (limits: ${memoryMb} MB of memory, ${cpuSeconds} s of CPU)${stderr.suffix()}`);
}
