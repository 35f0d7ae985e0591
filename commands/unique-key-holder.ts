import { z } from 'zod';
import { reservationStream } from '../domain/reservation/events.ts';
import { StreamNotFoundError } from '../infra/eventstore/errors.ts';
import type { EventStore } from '../infra/eventstore/port.ts';

const claimed = z.object({ ownerStreamId: z.string() });

/**
 * The stream that holds a unique key: the owner named by the latest claim of `unique-<scope>.<key>` (a claim
 * abandoned by a crashed command may have been handed over, so the last one counts). Null when nothing holds it.
 * The claim streams are UniqueKeys' to write; this is the one place that reads them.
 */
export async function uniqueKeyHolder(store: EventStore, scope: string, key: string): Promise<string | null> {
  try {
    for await (const event of store.readStream(reservationStream(scope, key), { direction: 'backwards', maxCount: 1 })) {
      const claim = claimed.safeParse(event.data);
      return claim.success ? claim.data.ownerStreamId : null;
    }
  } catch (error) {
    if (!(error instanceof StreamNotFoundError)) throw error;
  }
  return null;
}
