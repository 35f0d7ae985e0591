import { describe, expect, it } from 'vitest';
import { createEventRegistry } from '../../domain/events/catalog.ts';
import { SqliteDocumentStore } from '../../infra/documents/sqlite.ts';
import { DocumentCheckpointStore } from '../../infra/log-consumer/document-checkpoint-store.ts';
import { SagaRunner, StepUnavailableError, type Saga, type SagaEvent } from '../../processes/saga-runner.ts';
import { DocumentDeadLetters } from '../../processes/document-dead-letters.ts';
import { appError } from '../../domain/shared/app-error.ts';
import { orgAggregate } from '../../commands/handlers/org.ts';
import { admin, commandId, newOrgId, pipelineOn, registerOrg, tempStore } from '../support/pipeline.ts';
import { LogConsumer } from '../../infra/log-consumer/log-consumer.ts';

function recordingSaga(behaviour: (event: SagaEvent<'OrgRegistered'>, attempt: number) => void): Saga<'OrgRegistered'> & { handled: string[] } {
  const attempts = new Map<string, number>();
  const handled: string[] = [];
  return {
    name: 'test-saga',
    eventTypes: ['OrgRegistered'],
    handled,
    async handle(event) {
      const attempt = (attempts.get(event.eventId) ?? 0) + 1;
      attempts.set(event.eventId, attempt);
      behaviour(event, attempt);
      handled.push(event.data.slug);
    },
  };
}

describe('the saga runner', () => {
  it('handles each event of its types once, retries a failing step, and resumes after its checkpoint', async () => {
    const store = tempStore();
    const { pipeline } = pipelineOn(store);
    const docs = new SqliteDocumentStore({ path: ':memory:' });
    const checkpoints = new DocumentCheckpointStore(docs);
    const registry = createEventRegistry();
    for (const slug of ['alpha', 'beta']) await pipeline.execute(orgAggregate, registerOrg(newOrgId(), slug), { commandId: commandId(), principal: admin });

    const saga = recordingSaga((event, attempt) => {
      if (event.data.slug === 'beta' && attempt < 3) throw new Error('transient');
    });
    const runner = new SagaRunner(new LogConsumer(store), registry, checkpoints, saga, { retryDelayMs: 1 });
    await runner.start();
    expect(await runner.waitFor(await store.headPosition())).toBe(true);
    expect(saga.handled).toEqual(['alpha', 'beta']);
    await runner.stop();

    await pipeline.execute(orgAggregate, registerOrg(newOrgId(), 'gamma'), { commandId: commandId(), principal: admin });
    const again = recordingSaga(() => undefined);
    const resumed = new SagaRunner(new LogConsumer(store), registry, checkpoints, again, { retryDelayMs: 1 });
    await resumed.start();
    expect(await resumed.waitFor(await store.headPosition())).toBe(true);
    expect(again.handled).toEqual(['gamma']);
    await resumed.stop();
    await docs.close();
    await store.close();
  });

  it('skips a poison event after its attempts, so the events after it are still handled', async () => {
    const store = tempStore();
    const { pipeline } = pipelineOn(store);
    const docs = new SqliteDocumentStore({ path: ':memory:' });
    for (const slug of ['poison', 'after']) await pipeline.execute(orgAggregate, registerOrg(newOrgId(), slug), { commandId: commandId(), principal: admin });
    const saga = recordingSaga((event) => {
      if (event.data.slug === 'poison') throw new Error('never works');
    });
    const runner = new SagaRunner(new LogConsumer(store), createEventRegistry(), new DocumentCheckpointStore(docs), saga, {
      retryDelayMs: 1,
      maxAttempts: 3,
      deadLetters: new DocumentDeadLetters(docs),
    });
    await runner.start();
    expect(await runner.waitFor(await store.headPosition())).toBe(true);
    expect(saga.handled).toEqual(['after']);
    const dead = await docs.find('_saga_dead_letters', { limit: 10 });
    expect(dead.items).toEqual([expect.objectContaining({ saga: 'test-saga', type: 'OrgRegistered', error: 'Error: never works' })]);
    await runner.stop();
    await docs.close();
    await store.close();
  });
});

describe('the saga runner during an outage', () => {
  it('waits out a step that is unavailable, however many tries it takes, instead of skipping it', async () => {
    const store = tempStore();
    const { pipeline } = pipelineOn(store);
    const docs = new SqliteDocumentStore({ path: ':memory:' });
    await pipeline.execute(orgAggregate, registerOrg(newOrgId(), 'outage'), { commandId: commandId(), principal: admin });
    const saga = recordingSaga((_event, attempt) => {
      if (attempt <= 6) throw new StepUnavailableError(appError('unavailable', 'EVENT_STORE_UNAVAILABLE', 'down'));
    });
    const runner = new SagaRunner(new LogConsumer(store), createEventRegistry(), new DocumentCheckpointStore(docs), saga, {
      retryDelayMs: 1,
      maxAttempts: 2,
      deadLetters: new DocumentDeadLetters(docs),
      outageRetry: { minMs: 1, maxMs: 5 },
    });
    await runner.start();
    expect(await runner.waitFor(await store.headPosition(), 10_000)).toBe(true);
    expect(saga.handled).toEqual(['outage']);
    expect((await docs.find('_saga_dead_letters', { limit: 10 })).items).toEqual([]);
    await runner.stop();
    await docs.close();
    await store.close();
  });
});
