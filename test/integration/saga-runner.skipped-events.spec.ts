import { describe, expect, it } from 'vitest';
import { orgAggregate } from '../../commands/handlers/org.ts';
import { createEventRegistry } from '../../domain/events/catalog.ts';
import { SqliteDocumentStore } from '../../infra/documents/sqlite.ts';
import { DocumentCheckpointStore } from '../../infra/log-consumer/document-checkpoint-store.ts';
import { SagaRunner, type Saga } from '../../processes/saga-runner.ts';
import { waitFor } from '../support/async.ts';
import { admin, commandId, newOrgId, pipelineOn, registerOrg, tempStore } from '../support/pipeline.ts';
import { LogConsumer } from '../../infra/log-consumer/log-consumer.ts';

describe('a saga and the events it does not handle', () => {
  it('moves past them and checkpoints there, so a restart does not read them again', async () => {
    const store = tempStore();
    const { pipeline } = pipelineOn(store);
    const docs = new SqliteDocumentStore({ path: ':memory:' });
    const checkpoints = new DocumentCheckpointStore(docs);
    const handled: bigint[] = [];
    const saga: Saga = { name: 'skipping-saga', eventTypes: ['OrgRegistered'], handle: async (event) => void handled.push(event.position) };
    const orgId = newOrgId();
    const registered = await pipeline.execute(orgAggregate, registerOrg(orgId), { commandId: commandId(), principal: admin });
    if (!('position' in registered) || registered.position === null) throw new Error('the org was not registered');

    const runner = new SagaRunner(new LogConsumer(store), createEventRegistry(), checkpoints, saga);
    await runner.start();
    await waitFor(() => handled.length === 1, 5000, 'the OrgRegistered event');
    for (let n = 0; n < 20; n += 1) {
      await pipeline.execute(
        orgAggregate,
        { type: 'UpdateOrgMetadata', data: { orgId, description: `update ${n}` } },
        { commandId: commandId(), principal: admin },
      );
    }
    const head = await store.headPosition();
    expect(head).toBeGreaterThan(registered.position);
    // Nothing of its types after the registration, yet it is at the head, not at its last handled event.
    await waitFor(() => runner.handledPosition === head, 5000, 'the saga to reach the head');
    await runner.stop();
    expect(await checkpoints.load('skipping-saga')).toBe(head);
    expect(handled).toEqual([registered.position]);
    await docs.close();
    await store.close();
  });
});
