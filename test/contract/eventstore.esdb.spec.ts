import { describe, it } from 'vitest';
import { EventStoreDbEventStore } from '../../infra/eventstore/esdb.ts';
import { serviceUrl } from '../support/services.ts';
import { describeEventStoreContract } from './eventstore.contract.ts';

const url = serviceUrl('eventstore', 'EVENTSTORE_URL');

if (url) {
  describeEventStoreContract('EventStoreDB', async () => EventStoreDbEventStore.connect(url));
} else {
  describe.skip('EventStore contract: EventStoreDB', () => {
    it('needs EVENTSTORE_URL', () => {});
  });
}
