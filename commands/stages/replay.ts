import type { CompletedCommand } from '../command-log.ts';
import type { CommandResult } from '../result.ts';
import type { CommandRecord } from '../stream-loader.ts';

/**
 * What an earlier execution under the same command id means for this one: none (decide it), the same command
 * (answer as it was answered), or another command under a reused id (refuse it).
 */
export type EarlierVerdict<Earlier> = { kind: 'none' } | { kind: 'same'; earlier: Earlier } | { kind: 'reused' };

/** Judges the durable completion record of a retryable command, read before any attempt. */
export function judgeCompletion(completed: CompletedCommand | undefined, hash: string, streamId: string): EarlierVerdict<CompletedCommand> {
  if (!completed) return { kind: 'none' };
  if (completed.commandHash !== hash || completed.streamId !== streamId) return { kind: 'reused' };
  return { kind: 'same', earlier: completed };
}

/** Judges what the command's stream says it already did (found on each attempt's load). */
export function judgeStreamRecord(earlier: CommandRecord | undefined, hash: string): EarlierVerdict<CommandRecord> {
  if (!earlier) return { kind: 'none' };
  return earlier.commandHash === hash ? { kind: 'same', earlier } : { kind: 'reused' };
}

/** The answer repeating an earlier execution. */
export function replayed(commandId: string, streamId: string, streamRevision: bigint, position: bigint | null, events: CommandResult['events']): CommandResult {
  return { commandId, streamId, streamRevision, position, events, replayed: true };
}
