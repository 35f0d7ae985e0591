import { afterEach, describe, expect, it } from 'vitest';
import { timerAggregate } from '../../commands/handlers/timer.ts';
import type { CommandPipeline } from '../../commands/pipeline.ts';
import { appError, isAppError } from '../../domain/shared/app-error.ts';
import { timerStream } from '../../domain/timer/decider.ts';
import { timerIdFor } from '../../domain/timer/timer-id.ts';
import type { EventStore } from '../../infra/eventstore/port.ts';
import { TimerService, cancelTimer, scheduleTimer } from '../../processes/timers.ts';
import { collect, waitFor } from '../support/async.ts';
import { governance } from '../support/governance-fixtures.ts';
import { commandId, governedPipelineOn, pipelineOn, tempStore, tempStorePath } from '../support/pipeline.ts';
import { LogConsumer } from '../../infra/log-consumer/log-consumer.ts';

/** A clock the test moves by hand; the service and the pipeline read the same one. */
function manualClock(start = '2026-11-27T12:00:00.000Z') {
  let now = Date.parse(start);
  return {
    clock: () => new Date(now),
    advance(ms: number) {
      now += ms;
    },
    at: (offsetMs: number) => new Date(Date.parse(start) + offsetMs).toISOString(),
  };
}

const MINUTE = 60_000;

/** The timer's own events (a governed pipeline also records its decisions in the stream). */
const eventsOf = async (store: EventStore, timerId: string) =>
  (await collect(store.readStream(timerStream(timerId)))).filter((event) => event.type.startsWith('Timer'));
const firedCount = async (store: EventStore, timerId: string) => (await eventsOf(store, timerId)).filter((event) => event.type === 'TimerFired').length;

function expectTimerId(result: string | { code: string }): string {
  if (typeof result !== 'string') throw new Error(`expected a timer id, got ${result.code}`);
  return result;
}

/** Everything started in a test, stopped after it whatever happened. */
const cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});
function started(service: TimerService): TimerService {
  service.start();
  cleanup.push(() => service.stop());
  return service;
}

describe('the timer service', () => {
  it('fires a timer once it is due, once, as the system principal, governed by the org policy like anyone', async () => {
    const time = manualClock();
    const store = tempStore();
    cleanup.push(() => store.close());
    const { pipeline, registry } = governedPipelineOn(store, { clock: time.clock });
    const orgId = await governance(pipeline).registerOrg('timers');
    const key = `auction.close:${crypto.randomUUID()}:1`;
    const timerId = expectTimerId(await scheduleTimer(pipeline, { key, orgId, dueAt: time.at(MINUTE), purpose: 'auction.close', ref: { round: 1 } }));
    expect(timerId).toBe(timerIdFor(key));

    const service = started(new TimerService(new LogConsumer(store), registry, pipeline, { tickMs: 10, clock: time.clock }));
    await waitFor(() => service.scheduled === 1, 5000, 'the timer to be scheduled');
    expect(await service.fireDue()).toBe(0);
    expect(await firedCount(store, timerId)).toBe(0);

    time.advance(MINUTE);
    await waitFor(async () => (await firedCount(store, timerId)) === 1, 5000, 'the timer to fire');
    await waitFor(() => service.scheduled === 0, 5000, 'the fired timer to leave the schedule');
    expect(await service.fireDue()).toBe(0);
    const events = await eventsOf(store, timerId);
    expect(events.map((event) => event.type)).toEqual(['TimerScheduled', 'TimerFired']);
    expect(events[1]).toMatchObject({
      data: { timerId, orgId, purpose: 'auction.close', ref: { round: 1 }, dueAt: time.at(MINUTE), firedAt: time.at(MINUTE) },
      metadata: { principal: { kind: 'system' }, commandId: `fire-timer:${timerId}`, orgId },
    });
  });

  it('schedules a saga key once: the same schedule again is a no-op, a different one is refused', async () => {
    const time = manualClock();
    const store = tempStore();
    cleanup.push(() => store.close());
    const { pipeline } = pipelineOn(store, { clock: time.clock });
    const input = { key: `task.heartbeat:${crypto.randomUUID()}`, orgId: null, dueAt: new Date(time.at(MINUTE)), purpose: 'task.heartbeat', ref: {} };
    const timerId = expectTimerId(await scheduleTimer(pipeline, input));
    expect(await scheduleTimer(pipeline, input)).toBe(timerId);
    expect(isAppError(await scheduleTimer(pipeline, { ...input, dueAt: time.at(2 * MINUTE) }))).toBe(true);
    // A new command id (another saga instance) for a different schedule meets the timer itself.
    const other = await pipeline.execute(
      timerAggregate,
      { type: 'ScheduleTimer', data: { timerId, orgId: null, dueAt: time.at(2 * MINUTE), purpose: 'task.heartbeat', ref: {} } },
      { commandId: commandId(), principal: { id: 'system', kind: 'system' } },
    );
    expect(other).toMatchObject({ code: 'TIMER_EXISTS' });
    const events = await eventsOf(store, timerId);
    expect(events.map((event) => event.type)).toEqual(['TimerScheduled']);
    expect(events[0]).toMatchObject({ data: { dueAt: time.at(MINUTE) }, metadata: { commandId: `schedule-timer:${timerId}` } });
  });

  it('fires, on the next start, a timer that fell due while no service was running, exactly once', async () => {
    const time = manualClock();
    const path = tempStorePath();
    const before = tempStore(path);
    const first = pipelineOn(before, { clock: time.clock });
    const timerId = expectTimerId(
      await scheduleTimer(first.pipeline, {
        key: `auction.close:${crypto.randomUUID()}:2`,
        orgId: null,
        dueAt: time.at(MINUTE),
        purpose: 'auction.close',
        ref: { round: 2 },
      }),
    );
    const service = new TimerService(new LogConsumer(before), first.registry, first.pipeline, { tickMs: 10, clock: time.clock });
    service.start();
    await waitFor(() => service.scheduled === 1, 5000, 'the timer to be scheduled');
    await service.stop();

    // Down: the due time passes with nothing running, and nothing fires.
    time.advance(2 * MINUTE);
    await new Promise((resolve) => setTimeout(resolve, 50)); // a fixed wait: nothing may fire within it
    expect(await firedCount(before, timerId)).toBe(0);
    await before.close();

    // A new process: another store handle, pipeline and service, which rebuild the schedule from the log.
    const after = tempStore(path);
    cleanup.push(() => after.close());
    const second = pipelineOn(after, { clock: time.clock });
    const restarted = started(new TimerService(new LogConsumer(after), second.registry, second.pipeline, { tickMs: 10, clock: time.clock }));
    await waitFor(async () => (await firedCount(after, timerId)) === 1, 5000, 'the overdue timer to fire');
    await waitFor(() => restarted.scheduled === 0, 5000, 'the schedule to empty');
    expect(await restarted.fireDue()).toBe(0);
    expect(await firedCount(after, timerId)).toBe(1);
    expect((await eventsOf(after, timerId)).at(-1)).toMatchObject({ data: { dueAt: time.at(MINUTE), firedAt: time.at(2 * MINUTE) } });
  });

  it('fires a timer once in total when two services on one store race for it', async () => {
    const time = manualClock();
    const store = tempStore();
    cleanup.push(() => store.close());
    // Two pipelines with their own caches: like two server processes.
    const a = pipelineOn(store, { clock: time.clock });
    const b = pipelineOn(store, { clock: time.clock });
    const timerId = expectTimerId(
      await scheduleTimer(a.pipeline, {
        key: `auction.close:${crypto.randomUUID()}:1`,
        orgId: null,
        dueAt: time.at(MINUTE),
        purpose: 'auction.close',
        ref: {},
      }),
    );
    // Ticks far apart, so the two fireDue calls below are the race.
    const first = started(new TimerService(new LogConsumer(store), a.registry, a.pipeline, { tickMs: 60_000, clock: time.clock }));
    const second = started(new TimerService(new LogConsumer(store), b.registry, b.pipeline, { tickMs: 60_000, clock: time.clock }));
    await waitFor(() => first.scheduled === 1 && second.scheduled === 1, 5000, 'both to schedule the timer');

    time.advance(MINUTE);
    const fired = await Promise.all([first.fireDue(), second.fireDue()]);
    // Both issue the same FireTimer (one command id): the log holds one TimerFired. Each call may report it, since a
    // copy of a command racing another in the same instant is answered as the first one was.
    expect(fired[0] + fired[1]).toBeGreaterThanOrEqual(1);
    expect(first.scheduled + second.scheduled).toBe(0);
    expect(await firedCount(store, timerId)).toBe(1);
    expect((await eventsOf(store, timerId)).at(-1)?.metadata).toMatchObject({ commandId: `fire-timer:${timerId}` });
    expect(await first.fireDue()).toBe(0);
    expect(await second.fireDue()).toBe(0);
  });

  it('fires a timer once in total when two ticking services on one store find it due at start', async () => {
    const time = manualClock();
    const store = tempStore();
    cleanup.push(() => store.close());
    const a = pipelineOn(store, { clock: time.clock });
    const b = pipelineOn(store, { clock: time.clock });
    const timerIds: string[] = [];
    for (let round = 1; round <= 5; round += 1) {
      const key = `auction.close:${crypto.randomUUID()}:${round}`;
      timerIds.push(expectTimerId(await scheduleTimer(a.pipeline, { key, orgId: null, dueAt: time.at(-MINUTE), purpose: 'auction.close', ref: { round } })));
    }
    const first = started(new TimerService(new LogConsumer(store), a.registry, a.pipeline, { tickMs: 5, clock: time.clock }));
    const second = started(new TimerService(new LogConsumer(store), b.registry, b.pipeline, { tickMs: 5, clock: time.clock }));
    await waitFor(async () => (await Promise.all(timerIds.map((id) => firedCount(store, id)))).every((count) => count >= 1), 5000, 'every timer to fire');
    await waitFor(() => first.scheduled === 0 && second.scheduled === 0, 5000, 'both schedules to empty');
    expect(await Promise.all(timerIds.map((id) => firedCount(store, id)))).toEqual([1, 1, 1, 1, 1]);
  });

  it('never fires a cancelled timer, before or after a restart', async () => {
    const time = manualClock();
    const store = tempStore();
    cleanup.push(() => store.close());
    const { pipeline, registry } = pipelineOn(store, { clock: time.clock });
    const orgId = crypto.randomUUID();
    const key = `auction.close:${crypto.randomUUID()}:1`;
    const timerId = expectTimerId(await scheduleTimer(pipeline, { key, orgId, dueAt: time.at(MINUTE), purpose: 'auction.close', ref: {} }));
    const service = started(new TimerService(new LogConsumer(store), registry, pipeline, { tickMs: 10, clock: time.clock }));
    await waitFor(() => service.scheduled === 1, 5000, 'the timer to be scheduled');

    expect(await cancelTimer(pipeline, { key, orgId })).toBe(timerId);
    await waitFor(() => service.scheduled === 0, 5000, 'the cancelled timer to leave the schedule');
    time.advance(2 * MINUTE);
    // A sentinel scheduled after the cancellation: once a service has fired it, it has read past the cancellation.
    const sentinel = expectTimerId(
      await scheduleTimer(pipeline, { key: `sentinel:${crypto.randomUUID()}`, orgId, dueAt: time.at(0), purpose: 'test.sentinel', ref: {} }),
    );
    await waitFor(async () => (await firedCount(store, sentinel)) === 1, 5000, 'the sentinel to fire');
    const restarted = started(
      new TimerService(new LogConsumer(store), registry, pipelineOn(store, { clock: time.clock }).pipeline, { tickMs: 10, clock: time.clock }),
    );
    await waitFor(() => restarted.scheduled === 0, 5000, 'the new service to read the log');
    expect(await restarted.fireDue()).toBe(0);
    expect((await eventsOf(store, timerId)).map((event) => event.type)).toEqual(['TimerScheduled', 'TimerCancelled']);
  });

  it('retries on the next tick when the pipeline is unavailable', async () => {
    const time = manualClock();
    const store = tempStore();
    cleanup.push(() => store.close());
    const { pipeline, registry } = pipelineOn(store, { clock: time.clock });
    const timerId = expectTimerId(
      await scheduleTimer(pipeline, { key: `auction.close:${crypto.randomUUID()}:1`, orgId: null, dueAt: time.at(0), purpose: 'auction.close', ref: {} }),
    );
    let outages = 1;
    const flaky = {
      execute: (...args: Parameters<CommandPipeline['execute']>) => {
        if (outages > 0) {
          outages -= 1;
          return Promise.resolve(appError('unavailable', 'EVENT_STORE_UNAVAILABLE', 'down for the test'));
        }
        return pipeline.execute(...args);
      },
    } as unknown as CommandPipeline;
    const service = started(new TimerService(new LogConsumer(store), registry, flaky, { tickMs: 60_000, clock: time.clock }));
    await waitFor(() => service.scheduled === 1, 5000, 'the timer to be scheduled');

    expect(await service.fireDue()).toBe(0);
    expect(service.scheduled).toBe(1);
    expect(await firedCount(store, timerId)).toBe(0);
    expect(await service.fireDue()).toBe(1);
    expect(service.scheduled).toBe(0);
    expect(await firedCount(store, timerId)).toBe(1);
  });
});
