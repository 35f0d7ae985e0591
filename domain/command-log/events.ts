import { z } from 'zod';
import { version1Definitions, type EventUnion } from '../events/registry.ts';

/**
 * The durable answer to "was this command id already executed, and with what?". Written after a command whose id
 * the caller may retry (an Idempotency-Key), so a retry answers the same even when the command decided nothing
 * (no events in its target stream to find it by) and a key reused on another stream is recognised.
 */
const commandCompletedData = z.object({
  commandType: z.string(),
  commandHash: z.string(),
  streamId: z.string(),
  /** The target stream's revision after the command, as a decimal string (revisions are 64-bit). */
  streamRevision: z.string().regex(/^-?\d+$/),
  /** True when the command decided nothing: there are no events of it to replay. */
  noop: z.boolean(),
});

export const commandLogEventDefinitions = version1Definitions({
  CommandCompleted: commandCompletedData,
});

export type CommandCompleted = Extract<EventUnion<typeof commandLogEventDefinitions>, { type: 'CommandCompleted' }>;

export const commandLogStream = (commandId: string) => `command-${commandId}`;
