export interface CommandResult {
  commandId: string;
  streamId: string;
  /** The stream's revision after the command (unchanged when it decided nothing). */
  streamRevision: bigint;
  /** Global position of the command's last event; null when it appended nothing. Use it for read-your-writes. */
  position: bigint | null;
  events: ReadonlyArray<{ eventId: string; type: string; revision: bigint; data: Record<string, unknown> }>;
  /** True when this answer repeats an earlier execution of the same command id. */
  replayed: boolean;
}
