import { describe, expect, it } from 'vitest';
import { hashApiKey } from '../../api/auth/api-key.ts';
import { apiKeyAggregate } from '../../commands/handlers/credential.ts';
import { EventStoreUnavailableError } from '../../infra/eventstore/errors.ts';
import type { AllSubscription, EventStore } from '../../infra/eventstore/port.ts';
import { ApiKeyIndex } from '../../projections/api-key-index.ts';
import { waitFor } from '../support/async.ts';
import { admin, commandId, pipelineOn, tempStore } from '../support/pipeline.ts';
import { LogConsumer } from '../../infra/log-consumer/log-consumer.ts';

/** A real store whose first live subscription drops, as an EventStoreDB subscription does when its connection is lost. */
function droppingFirstSubscription(store: EventStore): EventStore {
  let dropped = false;
  return Object.assign(Object.create(store) as EventStore, {
    subscribeToAll(options: Parameters<EventStore['subscribeToAll']>[0]): AllSubscription {
      if (dropped) return store.subscribeToAll(options);
      dropped = true;
      return {
        async *[Symbol.asyncIterator]() {
          await new Promise((resolve) => setTimeout(resolve, 50)); // a connection that drops a while after it opened
          throw new EventStoreUnavailableError('connection lost');
        },
        async unsubscribe() {},
      };
    },
  });
}

describe('the API-key index when its subscription drops', () => {
  it('turns unhealthy, resubscribes from its checkpoint, and sees keys issued meanwhile', async () => {
    const store = tempStore();
    const { pipeline, registry } = pipelineOn(store);
    const issue = (keyId: string) =>
      pipeline.execute(
        apiKeyAggregate,
        { type: 'IssueApiKey', data: { keyId, keyHash: hashApiKey(`key-${keyId}`), principal: { id: `admin:${keyId}`, kind: 'admin' }, label: '' } },
        { commandId: commandId(), principal: admin },
      );
    await issue('before');
    const index = new ApiKeyIndex(new LogConsumer(droppingFirstSubscription(store)), registry);
    await index.start();
    expect(index.principalFor(hashApiKey('key-before'))).toMatchObject({ id: 'admin:before' });

    await waitFor(() => !index.healthy, 2000, 'the index to notice the drop');
    await issue('during');
    await waitFor(() => index.healthy && index.principalFor(hashApiKey('key-during')) !== undefined, 5000, 'the index to recover');
    expect(index.principalFor(hashApiKey('key-before'))).toBeDefined();
    await index.stop();
  });
});
