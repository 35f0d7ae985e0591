import type { ToolRunResult } from './port.ts';

/**
 * A cap on the tool processes (executables, stdio MCP servers) running at once on this server, whatever the callers
 * ask: each call holds a slot while it runs. A call with no free slot fails at once as `unreachable` (its caller's
 * retry policy tries again later) rather than queueing, so a burst never piles up processes or waiting calls.
 */
export class ProcessSlots {
  private running = 0;

  constructor(readonly max: number) {}

  /** Runs `call` in a slot, or answers the failure when none is free. */
  async hold(call: () => Promise<ToolRunResult>): Promise<ToolRunResult> {
    if (this.running >= this.max) {
      return { ok: false, code: 'unreachable', message: `${this.max} tool processes are running, the most this server runs at once`, durationMs: 0 };
    }
    this.running += 1;
    try {
      return await call();
    } finally {
      this.running -= 1;
    }
  }
}
