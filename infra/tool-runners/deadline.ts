import { CANCELLED, type CallClock, timedOut } from './outcome.ts';
import type { ToolRunResult } from './port.ts';

/**
 * One call's end by its timeout or by its caller, as a single AbortSignal each adapter hands to what it waits on
 * (a fetch, an MCP request, a child process). `reason` says which came first, so the call fails with `timeout` or
 * `cancelled`, never with whatever error the aborted I/O happened to throw.
 */
export class CallDeadline {
  private readonly controller = new AbortController();
  private readonly timer: NodeJS.Timeout;
  private readonly onCallerAbort = () => this.stop('cancelled');
  reason: 'timeout' | 'cancelled' | undefined;

  constructor(
    private readonly timeoutMs: number,
    private readonly callerSignal: AbortSignal,
  ) {
    this.timer = setTimeout(() => this.stop('timeout'), timeoutMs);
    if (callerSignal.aborted) this.stop('cancelled');
    else callerSignal.addEventListener('abort', this.onCallerAbort, { once: true });
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** Why the call was stopped, as a failure's code and message; only meaningful once `signal` has aborted. */
  why(): { code: 'timeout' | 'cancelled'; message: string } {
    return this.reason === 'timeout' ? { code: 'timeout', message: timedOut(this.timeoutMs) } : { code: 'cancelled', message: CANCELLED };
  }

  /** The failure for why the call was stopped; only meaningful once `signal` has aborted. */
  failure(clock: CallClock): ToolRunResult {
    const { code, message } = this.why();
    return clock.failed(code, message);
  }

  /** Calls `listener` once the call is stopped: at once when it already is (a cancel that came during the set-up). */
  onStop(listener: () => void): void {
    if (this.signal.aborted) listener();
    else this.signal.addEventListener('abort', listener, { once: true });
  }

  /** Resolves with the stop's failure when the deadline passes or the caller aborts, whichever comes first. */
  stopped(clock: CallClock): Promise<ToolRunResult> {
    return new Promise((resolve) => this.onStop(() => resolve(this.failure(clock))));
  }

  /** Call when the call is over, so neither the timer nor the caller's signal keeps a reference to it. */
  dispose(): void {
    clearTimeout(this.timer);
    this.callerSignal.removeEventListener('abort', this.onCallerAbort);
  }

  private stop(reason: 'timeout' | 'cancelled'): void {
    if (this.reason !== undefined) return;
    this.reason = reason;
    this.controller.abort();
  }
}
