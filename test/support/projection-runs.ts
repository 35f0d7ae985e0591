import { expect } from 'vitest';
import type { PlatformEventRegistry } from '../../domain/events/catalog.ts';
import type { DocumentStore, JsonDocument } from '../../infra/documents/port.ts';
import { SqliteDocumentStore } from '../../infra/documents/sqlite.ts';
import type { EventStore } from '../../infra/eventstore/port.ts';
import { LogConsumer } from '../../infra/log-consumer/log-consumer.ts';
import type { ProjectedEvent, Projection } from '../../projections/projection.ts';
import { ProjectionRunner } from '../../projections/runner.ts';
import { collect } from './async.ts';

/** A read-model store in memory, gone with the test. */
export const memoryDocs = (): DocumentStore => new SqliteDocumentStore({ path: ':memory:' });

/** The projections run over the whole log, caught up with its head and none failed; the runner is left running. */
export async function projectionsCaughtUp(
  store: EventStore,
  registry: PlatformEventRegistry,
  projections: readonly Projection[],
  docs: DocumentStore = memoryDocs(),
) {
  const runner = new ProjectionRunner(new LogConsumer(store), docs, registry, projections);
  await runner.start();
  expect(await runner.waitFor(await store.headPosition(), 10_000)).toBe(true);
  expect((await runner.status()).filter((projection) => projection.state === 'failed')).toEqual([]);
  return { runner, docs };
}

/** Every document of each collection, by `_id`, to compare two builds. */
export async function collectionsDump(docs: DocumentStore, collections: readonly string[]): Promise<Record<string, JsonDocument[]>> {
  const result: Record<string, JsonDocument[]> = {};
  for (const collection of collections) result[collection] = (await docs.find(collection, { limit: 1000, sort: [{ field: '_id', direction: 'asc' }] })).items;
  return result;
}

/** The log as projections see it. */
export async function projectedLog(store: EventStore, registry: PlatformEventRegistry): Promise<ProjectedEvent[]> {
  const events = await collect(store.readAll({ fromPosition: 'start' }));
  return events.map((event) => ({
    ...registry.decode(event.type, event.data, event.metadata),
    eventId: event.id,
    streamId: event.streamId,
    revision: event.revision,
    position: event.position,
    metadata: event.metadata,
  }));
}
