import { describe, expect, it } from 'vitest';
import { createEventRegistry } from '../../domain/events/catalog.ts';
import { LogConsumer } from '../../infra/log-consumer/log-consumer.ts';
import { DueSchedule, type DueOutcome } from '../../processes/due-schedule.ts';
import { tempStore } from '../support/pipeline.ts';

const now = Date.now();

interface Item {
  name: string;
  dueAt: number;
}

function scheduleOf(items: Item[]): DueSchedule<Item> {
  const schedule = new DueSchedule<Item>(new LogConsumer(tempStore()), createEventRegistry(), {
    name: 'test',
    eventTypes: [],
    follow: () => undefined,
    tick: async () => undefined,
  });
  for (const item of items) schedule.items.set(item.name, item);
  return schedule;
}

/** Acts with `outcomeOf`, answering what was acted on, in order, what was counted and what stays scheduled. */
async function actRecording(schedule: DueSchedule<Item>, outcomeOf: (item: Item) => Promise<DueOutcome>, order?: (a: Item, b: Item) => number) {
  const seen: string[] = [];
  const counted = await schedule.actOnDue(
    now,
    (item) => {
      seen.push(item.name);
      return outcomeOf(item);
    },
    order,
  );
  return { seen, counted, left: [...schedule.items.keys()] };
}

describe('acting on what is due', () => {
  it('acts on the due items only, in scheduling order unless told, and counts those that came to counted', async () => {
    const schedule = scheduleOf([
      { name: 'late', dueAt: now - 10 },
      { name: 'future', dueAt: now + 60_000 },
      { name: 'early', dueAt: now - 1000 },
      { name: 'now', dueAt: now },
    ]);
    const result = await actRecording(schedule, async (item) => (item.name === 'now' ? 'done' : 'counted'));
    expect(result).toEqual({ seen: ['late', 'early', 'now'], counted: 2, left: ['future'] });
  });

  it('keeps an item that came to again for the next tick, and follows the order it is given', async () => {
    const schedule = scheduleOf([
      { name: 'b', dueAt: now - 10 },
      { name: 'a', dueAt: now - 20 },
    ]);
    const result = await actRecording(
      schedule,
      async (item) => (item.name === 'a' ? 'again' : 'counted'),
      (x, y) => x.dueAt - y.dueAt,
    );
    expect(result).toEqual({ seen: ['a', 'b'], counted: 1, left: ['a'] });
  });

  it('stops acting once the schedule is stopped', async () => {
    const schedule = scheduleOf([
      { name: 'first', dueAt: now - 2 },
      { name: 'second', dueAt: now - 1 },
    ]);
    const result = await actRecording(schedule, async () => {
      await schedule.stop();
      return 'counted';
    });
    expect(result).toEqual({ seen: ['first'], counted: 1, left: ['second'] });
  });
});
