import type { ToolCallState } from '../../domain/tool-call/state.ts';

/** What the tool-call process does about a call it finds in the log. */
export type ToolCallRunStep =
  /** Requested, not claimed: claim it and run it. */
  | { kind: 'start' }
  /** Claimed by a runner that is no longer running it (this process restarted, or another instance died): its lease is over. */
  | { kind: 'interrupt'; startedAt: string }
  /** Claimed by a runner whose lease still holds (maybe another instance, still running it): look again when it ends. */
  | { kind: 'wait'; until: string }
  | { kind: 'nothing' };

/**
 * The tool-call process as a pure decision: given the call as it is now, whether this process is running it, and the
 * time. A claimed call is never run again (at most once): once its runner's lease is over without an outcome, it is
 * failed as `interrupted`.
 */
export function decideToolCallRun(call: ToolCallState, local: { running: boolean }, now: string): ToolCallRunStep {
  if (call === null || call.outcome !== null) return { kind: 'nothing' };
  if (call.run === null) return { kind: 'start' };
  if (local.running) return { kind: 'nothing' };
  if (Date.parse(now) >= Date.parse(call.run.leaseUntil)) return { kind: 'interrupt', startedAt: call.run.startedAt };
  return { kind: 'wait', until: call.run.leaseUntil };
}
