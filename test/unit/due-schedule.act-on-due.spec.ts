import { describe, expect, it } from 'vitest';
import { createEventRegistry } from '../../domain/events/catalog.ts';
import { LogConsumer } from '../../infra/log-consumer/log-consumer.ts';
import { DueSchedule, type DueOutcome } from '../../processes/due-schedule.ts';
import { tempStore } from '../support/pipeline.ts';

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

const now = Date.now();

describe('acting on what is due', () => {
  it('acts on the due items only, in scheduling order unless told, and counts those that came to counted', async () => {
    const schedule = scheduleOf([
      { name: 'late', dueAt: now - 10 },
      { name: 'future', dueAt: now + 60_000 },
      { name: 'early', dueAt: now - 1000 },
      { name: 'now', dueAt: now },
    ]);
    const seen: string[] = [];
    const counted = await schedule.actOnDue(now, async (item) => {
      seen.push(item.name);
      return item.name === 'now' ? 'done' : 'counted';
    });
    expect(seen).toEqual(['late', 'early', 'now']);
    expect(counted).toBe(2);
    expect([...schedule.items.keys()]).toEqual(['future']);
  });

  it('keeps an item that came to again for the next tick, and follows the order it is given', async () => {
    const schedule = scheduleOf([
      { name: 'b', dueAt: now - 10 },
      { name: 'a', dueAt: now - 20 },
    ]);
    const seen: string[] = [];
    const outcomes: Record<string, DueOutcome> = { a: 'again', b: 'counted' };
    const counted = await schedule.actOnDue(
      now,
      async (item) => {
        seen.push(item.name);
        return outcomes[item.name] ?? 'done';
      },
      (x, y) => x.dueAt - y.dueAt,
    );
    expect(seen).toEqual(['a', 'b']);
    expect(counted).toBe(1);
    expect([...schedule.items.keys()]).toEqual(['a']);
  });

  it('stops acting once the schedule is stopped', async () => {
    const schedule = scheduleOf([
      { name: 'first', dueAt: now - 2 },
      { name: 'second', dueAt: now - 1 },
    ]);
    const seen: string[] = [];
    const counted = await schedule.actOnDue(now, async (item) => {
      seen.push(item.name);
      await schedule.stop();
      return 'counted';
    });
    expect(seen).toEqual(['first']);
    expect(counted).toBe(1);
    expect([...schedule.items.keys()]).toEqual(['second']);
  });
});
