import type { CommandLog } from '../command-log.ts';
import type { CommandStamp } from '../event-envelope.ts';
import type { CommandJob } from './command-job.ts';

/**
 * Stage 7: the durable completion record of a command the caller may send again (its id is the caller's), written
 * after its effect, so a retry answers the same even when it decided nothing. Other commands keep no record.
 */
export async function completeCommand(
  log: CommandLog,
  job: CommandJob<{ type: string; data: unknown }>,
  streamRevision: bigint,
  noop: boolean,
  stamp: CommandStamp,
): Promise<void> {
  if (!job.envelope.retryable) return;
  await log.record({ commandType: job.command.type, commandHash: job.hash, streamId: job.streamId, streamRevision: streamRevision.toString(), noop }, stamp);
}
