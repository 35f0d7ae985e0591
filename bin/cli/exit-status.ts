/**
 * Exit statuses shared by every command: 0 done, 1 failed, 2 bad usage (audit adds 3: the API refused). Commander
 * ignores what an action returns, so a non-zero status travels as an ExitStatus to the one place that exits.
 */
export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

export class ExitStatus extends Error {
  override readonly name = 'ExitStatus';
  constructor(readonly code: number) {
    super(`exit status ${code}`);
  }
}

/** A failure the user can act on, told in one line without a stack trace (a taken port, a missing data directory). */
export class CliFailure extends Error {
  override readonly name = 'CliFailure';
  constructor(
    message: string,
    readonly code: number = EXIT_FAILURE,
  ) {
    super(message);
  }
}

/** Wraps an action that returns its exit status, for commander's `.action()`. */
export function withStatus<Args extends unknown[]>(run: (...args: Args) => Promise<number> | number): (...args: Args) => Promise<void> {
  return async (...args: Args) => {
    const code = await run(...args);
    if (code !== EXIT_OK) throw new ExitStatus(code);
  };
}
