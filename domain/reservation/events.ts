import { z } from 'zod';
import { version1Definitions, type EventUnion } from '../events/registry.ts';

/**
 * Uniqueness across streams (an org slug) cannot be checked inside one stream's decide, so it is claimed by
 * creating a stream named after the key with expected revision `no_stream`: the store lets exactly one claim win.
 */
const uniqueKeyReservedData = z.object({ scope: z.string().min(1), key: z.string().min(1), ownerStreamId: z.string().min(1) });

/**
 * Closes a stream that a crashed command never created, so that command can never complete: written (with
 * `no_stream`) before its abandoned reservation is handed to another command. A fenced stream refuses all commands.
 */
const streamFencedData = z.object({ reason: z.string(), byCommandId: z.string() });

export const reservationEventDefinitions = version1Definitions({
  UniqueKeyReserved: uniqueKeyReservedData,
  StreamFenced: streamFencedData,
});

export const STREAM_FENCED = 'StreamFenced';

export type UniqueKeyReserved = Extract<EventUnion<typeof reservationEventDefinitions>, { type: 'UniqueKeyReserved' }>;

export const reservationStream = (scope: string, key: string) => `unique-${scope}.${key}`;
