import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { timerStream } from '../../domain/timer/decider.ts';
import { EventStoreUnavailableError } from '../../infra/eventstore/errors.ts';
import type { AllSubscription, EventStore } from '../../infra/eventstore/port.ts';
import { TimerService, scheduleTimer } from '../../processes/timers.ts';
import { collect, waitFor } from '../support/async.ts';
import { governance } from '../support/governance-fixtures.ts';
import { governedPipelineOn, tempStore } from '../support/pipeline.ts';
import { LogConsumer } from '../../infra/log-consumer/log-consumer.ts';

/** A store whose first `$all` subscription fails at once, as an EventStoreDB subscription does on a connection blip. */
function droppingFirstSubscription(store: EventStore): EventStore & { drops: number } {
  let drops = 0;
  const wrapped = {
    appendToStream: store.appendToStream.bind(store),
    readStream: store.readStream.bind(store),
    readAll: store.readAll.bind(store),
    headPosition: store.headPosition.bind(store),
    close: store.close.bind(store),
    get drops() {
      return drops;
    },
    subscribeToAll(options?: Parameters<EventStore['subscribeToAll']>[0]): AllSubscription {
      if (drops > 0) return store.subscribeToAll(options);
      drops += 1;
      return {
        async unsubscribe() {},
        [Symbol.asyncIterator]() {
          return { next: () => Promise.reject(new EventStoreUnavailableError('connection dropped')) };
        },
      };
    },
  };
  return wrapped;
}

describe('the timer service after its subscription drops', () => {
  it('follows the log again and fires a timer scheduled after the drop', async () => {
    const store = tempStore();
    const { pipeline, registry } = governedPipelineOn(store);
    const orgId = await governance(pipeline).registerOrg('timers-drop');
    const flaky = droppingFirstSubscription(store);
    const service = new TimerService(new LogConsumer(flaky), registry, pipeline, { tickMs: 10 });
    service.start();
    const timerId = await scheduleTimer(pipeline, {
      key: `auction.close:${randomUUID()}:1`,
      orgId,
      dueAt: new Date(Date.now() + 50),
      purpose: 'auction.close',
      ref: {},
    });
    expect(typeof timerId).toBe('string');
    let types: string[] = [];
    const timerTypes = async () =>
      (types = (await collect(store.readStream(timerStream(timerId as string)))).map((event) => event.type).filter((type) => type.startsWith('Timer')));
    await waitFor(async () => (await timerTypes()).includes('TimerFired'), 5_000, 'the timer to fire');
    expect(flaky.drops).toBe(1);
    expect(types).toEqual(['TimerScheduled', 'TimerFired']);
    await service.stop();
    await store.close();
  });
});
