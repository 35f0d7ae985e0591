import { describe, expect, it } from 'vitest';
import type { RecordedEvent } from '../../infra/eventstore/port.ts';
import { EventWindow, eventBytes, type EventWindowLimits } from '../../infra/log-consumer/event-window.ts';

const recorded = (position: bigint, payload = ''): RecordedEvent => ({
  id: `00000000-0000-4000-8000-${String(position).padStart(12, '0')}`,
  streamId: 'thing-1',
  type: 'ThingHappened',
  revision: position,
  position,
  data: { payload },
  metadata: {},
  created: new Date(0),
});

const positions = (events: readonly RecordedEvent[]) => events.map((event) => event.position);

/** A window within `limits`, reset at `base`, then pushed every event after it up to `last` (each with `payload`). */
function windowPushedUpTo(limits: EventWindowLimits, base: bigint, last: bigint, payload = ''): EventWindow {
  const window = new EventWindow(limits);
  window.reset(base);
  for (let position = base + 1n; position <= last; position += 1n) window.push(recorded(position, payload));
  return window;
}

describe('the consumer window', () => {
  it('keeps at most its count of events; base moves past the ones that fell out', () => {
    const window = windowPushedUpTo({ events: 3, bytes: 1_000_000 }, 10n, 15n);
    expect(window.size).toBe(3);
    expect(window.base).toBe(12n);
    expect(window.position).toBe(15n);
    expect(positions(window.after(12n, 10))).toEqual([13n, 14n, 15n]);
    expect(positions(window.after(13n, 1))).toEqual([14n]);
  });

  it('keeps at most its bytes: large events push out older ones even under the count', () => {
    const big = 'x'.repeat(1_000);
    const one = eventBytes(recorded(1n, big));
    const window = windowPushedUpTo({ events: 100, bytes: one * 2 }, 0n, 5n, big);
    expect(window.size).toBe(2);
    expect(window.heldBytes).toBeLessThanOrEqual(one * 2);
    expect(window.base).toBe(3n);
    expect(positions(window.after(3n, 10))).toEqual([4n, 5n]);
  });

  it('an event larger than the whole budget is not kept: readers read it from the store', () => {
    const window = new EventWindow({ events: 100, bytes: 10 });
    window.reset(0n);
    window.push(recorded(1n, 'far more than ten bytes'));
    expect(window.size).toBe(0);
    expect(window.base).toBe(1n);
    expect(window.position).toBe(1n);
    expect(window.after(1n, 10)).toEqual([]);
  });

  it('stays correct across many evictions (its storage is compacted as it goes)', () => {
    const window = windowPushedUpTo({ events: 10, bytes: 1_000_000 }, 0n, 5_000n);
    expect(window.size).toBe(10);
    expect(window.base).toBe(4_990n);
    expect(positions(window.after(4_995n, 100))).toEqual([4_996n, 4_997n, 4_998n, 4_999n, 5_000n]);
  });
});
