import type { EventRegistry } from '../../domain/events/registry.ts';
import type { DomainEvent } from '../../domain/shared/decider.ts';
import { WrongExpectedVersionError } from '../../infra/eventstore/errors.ts';
import type { EventStore, EventToAppend, RecordedEvent } from '../../infra/eventstore/port.ts';
import type { AsideRecord } from '../pre-append-check.ts';
import { envelopEvent, type CommandStamp } from '../event-envelope.ts';

/**
 * How an append at the loaded revision went: ours (the events as recorded), idempotently answered for a copy of
 * this command appended elsewhere (our load is stale), or lost to another command that appended first.
 */
export type AppendOutcome =
  | { kind: 'appended'; recorded: RecordedEvent[]; streamRevision: bigint; position: bigint }
  | { kind: 'appended-elsewhere' }
  | { kind: 'lost-race' };

/** Stage 6: appends the permit's events and the decided ones atomically, expecting the stream as loaded. */
export async function appendDecided(
  store: EventStore,
  registry: EventRegistry,
  streamId: string,
  loadedRevision: bigint,
  events: readonly DomainEvent[],
  stamp: CommandStamp,
  createdAt: Date,
): Promise<AppendOutcome> {
  // Ids seeded by the command id and its content: a retry of the same command appends idempotently, while a
  // different command under the same id (an Idempotency-Key reused concurrently) conflicts instead of being
  // taken by the store for a retry of the one it holds.
  const idSeed = `${stamp.commandId}/${stamp.commandHash}`;
  const toAppend = events.map((event, index) => envelopEvent(registry, event, streamId, index, stamp, idSeed));
  try {
    const result = await store.appendToStream(streamId, toAppend, { expectedRevision: expectedRevisionOf(loadedRevision) });
    const firstRevision = firstRevisionOf(result.nextExpectedRevision, toAppend.length);
    if (firstRevision !== loadedRevision + 1n) return { kind: 'appended-elsewhere' };
    return {
      kind: 'appended',
      recorded: asRecorded(toAppend, streamId, firstRevision, result.position, createdAt),
      streamRevision: result.nextExpectedRevision,
      position: result.position,
    };
  } catch (error) {
    if (error instanceof WrongExpectedVersionError) return { kind: 'lost-race' };
    throw error;
  }
}

/** The store's precondition for a stream loaded at `revision` (-1n: it did not exist). */
export function expectedRevisionOf(revision: bigint): bigint | 'no_stream' {
  return revision === -1n ? 'no_stream' : revision;
}

/** The revision of the first of `count` events whose last is at `nextExpectedRevision`. */
export function firstRevisionOf(nextExpectedRevision: bigint, count: number): bigint {
  return nextExpectedRevision - BigInt(count - 1);
}

function asRecorded(events: readonly EventToAppend[], streamId: string, firstRevision: bigint, position: bigint, created: Date): RecordedEvent[] {
  return events.map((event, index) => ({ ...event, streamId, revision: firstRevision + BigInt(index), position, created }));
}

/** Appends decisions recorded in streams of their own (a denial, a permit refused by the org's structure). */
export async function recordAside(
  store: EventStore,
  registry: EventRegistry,
  records: readonly AsideRecord[],
  stampAt: (decisionId: string) => CommandStamp,
): Promise<void> {
  for (const { streamId, events, decisionId } of records) {
    const stamp = stampAt(decisionId);
    // Ids seeded by the decision: a retry recording the same decision is idempotent, a different one is kept.
    await store.appendToStream(
      streamId,
      events.map((event, index) => envelopEvent(registry, event, streamId, index, stamp, `${stamp.commandId}/${decisionId}`)),
    );
  }
}
