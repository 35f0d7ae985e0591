import { describe, expect, it } from 'vitest';
import { required } from '../../domain/shared/required.ts';
import { projectionParkingAggregate } from '../../commands/handlers/projection-parking.ts';
import { createEventRegistry } from '../../domain/events/catalog.ts';
import { SqliteDocumentStore } from '../../infra/documents/sqlite.ts';
import type { EventStore } from '../../infra/eventstore/port.ts';
import { ParkedEventIndex } from '../../projections/parked-events.ts';
import type { Projection } from '../../projections/projection.ts';
import { ProjectionRunner } from '../../projections/runner.ts';
import { ok } from '../support/governance-fixtures.ts';
import { admin, commandId } from '../support/pipeline.ts';
import { LogConsumer } from '../../infra/log-consumer/log-consumer.ts';
import { governedStore } from '../support/governed-store.ts';

/** Fails on every RoleGranted: a bug that every instance meets at the same event. */
const fragile: Projection = {
  name: 'fragile',
  version: 1,
  eventTypes: ['RoleGranted'],
  collections: [],
  async setup() {},
  async apply(event) {
    throw new Error(`cannot handle ${event.type}`);
  },
};

/** One platform instance's view: its own parked-events index and runner over the shared log. */
async function instance(store: EventStore) {
  const registry = createEventRegistry();
  const docs = new SqliteDocumentStore({ path: ':memory:' });
  const parked = new ParkedEventIndex(new LogConsumer(store), registry);
  const runner = new ProjectionRunner(new LogConsumer(store), docs, registry, [fragile], undefined, { parked });
  await parked.start((name) => runner.resumeParked(name));
  await runner.start();
  return {
    runner,
    state: async () => required((await runner.status())[0], 'the status of the projection'),
    async stop() {
      await runner.stop();
      await parked.stop();
      await docs.close();
    },
  };
}

describe('a parked event, learned from the log', () => {
  it('lets every instance go on past it, and a restarted one never stops there again', async () => {
    const { store, pipeline, g } = governedStore();
    const orgId = await g.registerOrg('parking');
    const alice = await g.registerSubject('alice');
    ok(await g.defineRole(orgId, { name: 'writer' }));
    ok(await g.grant(orgId, alice, 'writer'));

    const one = await instance(store);
    const two = await instance(store);
    await expect.poll(async () => (await one.state()).state, { timeout: 5000 }).toBe('failed');
    await expect.poll(async () => (await two.state()).state, { timeout: 5000 }).toBe('failed');
    const failure = required((await one.state()).failure, 'the failure');

    const parked = await pipeline.execute(
      projectionParkingAggregate,
      {
        type: 'ParkProjectionEvent',
        data: {
          projection: 'fragile',
          position: failure.position,
          event: { eventId: failure.eventId, type: failure.type, streamId: failure.streamId },
          reason: 'a bug',
        },
      },
      { commandId: commandId(), principal: admin },
    );
    ok(parked);
    const head = await store.headPosition();
    expect(await one.runner.waitFor(head, 5000, 'fragile')).toBe(true);
    expect(await two.runner.waitFor(head, 5000, 'fragile')).toBe(true);
    expect((await two.state()).failure).toBeNull();

    await one.stop();
    const restarted = await instance(store);
    expect(await restarted.runner.waitFor(head, 5000, 'fragile')).toBe(true);
    expect((await restarted.state()).failure).toBeNull();
    await restarted.stop();
    await two.stop();
    await store.close();
  });
});
