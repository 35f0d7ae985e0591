import { PassThrough } from 'node:stream';
import type { EventStoreDBClient, SubscribeToAllOptions as EsdbSubscribeOptions } from '@eventstore/db-client';
// The client's own subscription stream (what `subscribeToAll` returns), fed here with fake gRPC responses: the test
// runs the adapter against the client's real ordering of checkpoints and events, with no server.
import { Subscription } from '@eventstore/db-client/dist/streams/utils/Subscription.js';
import { describe, expect, it } from 'vitest';
import { EventStoreDbEventStore } from '../../infra/eventstore/esdb.ts';
import { waitFor } from '../support/async.ts';

/** Responses as the client's gRPC stream yields them: an event, or a checkpoint of a filtered subscription. */
function eventResponse(position: bigint, streamId: string) {
  const event = {
    id: `e${position}`,
    type: 'T',
    streamId,
    revision: 0n,
    created: new Date(),
    data: {},
    metadata: {},
    position: { commit: position, prepare: position },
  };
  return { hasEvent: () => true, getEvent: () => ({ event, commitPosition: position }) };
}
function checkpointResponse(position: bigint) {
  return { hasCheckpoint: () => true, getCheckpoint: () => ({ getCommitPosition: () => String(position), getPreparePosition: () => String(position) }) };
}

function fakeClient() {
  const grpc = Object.assign(new PassThrough({ objectMode: true }), { cancel: () => grpc.end() });
  let options: EsdbSubscribeOptions | undefined;
  const client = {
    subscribeToAll(given: EsdbSubscribeOptions) {
      options = given;
      return new Subscription(
        () => Promise.resolve(grpc) as never,
        (event: unknown) => event as never,
        {},
        given.filter?.checkpointReached as never,
      );
    },
    dispose: async () => {},
  };
  return { client: client as unknown as EventStoreDBClient, grpc, options: () => options };
}

describe('EventStoreDB subscription checkpoints', () => {
  it('reports server checkpoints in order with delivery, only once the consumer is done with the events before them', async () => {
    const { client, grpc, options } = fakeClient();
    const store = new EventStoreDbEventStore(client);
    const timeline: Array<{ kind: 'event' | 'checkpoint'; position: bigint; handling: boolean }> = [];
    let handling = false;
    const subscription = store.subscribeToAll({
      afterPosition: 5n,
      filter: { streamPrefixes: ['kept-'] },
      checkpointReached: (position) => void timeline.push({ kind: 'checkpoint', position, handling }),
    });
    expect(options()?.filter?.checkpointReached).toBeTypeOf('function');
    const reading = (async () => {
      for await (const event of subscription) {
        timeline.push({ kind: 'event', position: event.position, handling: false });
        handling = true;
        await new Promise((resolve) => setTimeout(resolve, 30)); // a slow consumer, which a checkpoint must not overtake
        handling = false;
      }
    })();

    // All at once: the client has them buffered while the consumer is still busy with the first event.
    grpc.write(checkpointResponse(4n)); // at or below afterPosition: nothing to report
    grpc.write(eventResponse(10n, 'kept-1'));
    grpc.write(eventResponse(20n, 'other-1')); // the server filter is a superset; skipped client-side
    grpc.write(checkpointResponse(50n));
    grpc.write(checkpointResponse(50n)); // not past what was reported
    grpc.write(eventResponse(60n, 'kept-2'));
    grpc.write(checkpointResponse(90n));
    await waitFor(() => timeline.length === 4, 5000, 'two events and two checkpoints');
    await subscription.unsubscribe();
    await reading;

    expect(timeline.map(({ kind, position }) => [kind, position])).toEqual([
      ['event', 10n],
      ['checkpoint', 49n],
      ['event', 60n],
      ['checkpoint', 89n],
    ]);
    expect(timeline.every((seen) => !seen.handling)).toBe(true);
    await store.close();
  });
});
