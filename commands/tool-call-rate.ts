import { TOOL_CALL_RATE_WINDOW_MS } from '../domain/tool-call/rate.ts';

/**
 * The tool calls each org made in the last minute, in this process: a sliding window of the requests accepted, each
 * held by its command id from the moment it is decided. A request is counted while it is decided (`reserve`), and let
 * go again when it is refused (`release`), so a decision never sees room that a request being decided has taken.
 * Counting and taking a place are one synchronous step, so requests decided concurrently in this process never take
 * the same place: within one process the limit is exact; two platform instances each count their own. A refused request may, for the moment between its decision and
 * its release, make another one wait its turn: the window errs on the side of the limit.
 */
export class ToolCallRateWindow {
  private readonly byOrg = new Map<string, Map<string, number>>();
  private readonly orgOf = new Map<string, string>();

  constructor(private readonly windowMs = TOOL_CALL_RATE_WINDOW_MS) {}

  /** The org's calls within the window before `nowMs` (this command's own left out), and this command counted from now. */
  reserve(orgId: string, commandId: string, nowMs: number): number {
    const calls = this.callsOf(orgId, nowMs);
    calls.delete(commandId);
    const count = calls.size;
    calls.set(commandId, nowMs);
    this.orgOf.set(commandId, orgId);
    return count;
  }

  /** The command's call is not counted (it was refused, or it was a call already made). */
  release(commandId: string): void {
    const orgId = this.orgOf.get(commandId);
    if (orgId === undefined) return;
    this.orgOf.delete(commandId);
    const calls = this.byOrg.get(orgId);
    calls?.delete(commandId);
    if (calls?.size === 0) this.byOrg.delete(orgId);
  }

  private callsOf(orgId: string, nowMs: number): Map<string, number> {
    let calls = this.byOrg.get(orgId);
    if (calls === undefined) {
      calls = new Map();
      this.byOrg.set(orgId, calls);
    }
    // Insertion order is time order: the expired ones are at the front.
    for (const [commandId, at] of calls) {
      if (at > nowMs - this.windowMs) break;
      calls.delete(commandId);
      this.orgOf.delete(commandId);
    }
    return calls;
  }
}
