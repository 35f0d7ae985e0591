import { describe, expect, it } from 'vitest';
import {
  decodeJsonObject,
  eventTypesRegex,
  fromEsdbMetadata,
  toActualRevision,
  toEsdbDirection,
  toEsdbMetadata,
  toEsdbPosition,
  toEsdbReadPosition,
  toEsdbReadRevision,
  toEsdbRevision,
  toRecordedEvent,
  toServerFilter,
} from '../../infra/eventstore/esdb.ts';

describe('EventStoreDB metadata mapping', () => {
  it('writes correlation and causation ids under the $-prefixed keys the system projections read', () => {
    expect(toEsdbMetadata({ correlationId: 'c1', causationId: 'k1', principal: 'p' })).toEqual({
      $correlationId: 'c1',
      $causationId: 'k1',
      principal: 'p',
    });
  });

  it('leaves metadata without those ids untouched and does not mutate its input', () => {
    const input = { correlationId: 'c1', other: { nested: [1, 2] } };
    expect(toEsdbMetadata({ other: true })).toEqual({ other: true });
    toEsdbMetadata(input);
    expect(input).toEqual({ correlationId: 'c1', other: { nested: [1, 2] } });
  });

  it('maps the $-prefixed keys back on read and drops them', () => {
    expect(fromEsdbMetadata({ $correlationId: 'c1', $causationId: 'k1', principal: 'p' })).toEqual({
      correlationId: 'c1',
      causationId: 'k1',
      principal: 'p',
    });
  });

  it('round-trips', () => {
    const metadata = { correlationId: 'c', causationId: 'k', principal: 'p', n: 1, list: ['a'], nil: null };
    expect(fromEsdbMetadata(toEsdbMetadata(metadata))).toEqual(metadata);
  });

  it('decodes parsed JSON, raw UTF-8 JSON bytes, and falls back to {} for anything else', () => {
    expect(decodeJsonObject({ a: 1 })).toEqual({ a: 1 });
    expect(decodeJsonObject(new TextEncoder().encode('{"$correlationId":"c","é":"ü"}'))).toEqual({
      $correlationId: 'c',
      é: 'ü',
    });
    expect(decodeJsonObject(new TextEncoder().encode('not json'))).toEqual({});
    expect(decodeJsonObject(new TextEncoder().encode('[1,2]'))).toEqual({});
    expect(decodeJsonObject(undefined)).toEqual({});
    expect(decodeJsonObject(['a'])).toEqual({});
    expect(decodeJsonObject('text')).toEqual({});
  });
});

describe('EventStoreDB position and revision mapping', () => {
  it('uses the commit position for both halves of a position', () => {
    expect(toEsdbPosition(1234n)).toEqual({ commit: 1234n, prepare: 1234n });
    expect(toEsdbReadPosition(5n)).toEqual({ commit: 5n, prepare: 5n });
    expect(toEsdbReadPosition('start')).toBe('start');
    expect(toEsdbReadPosition('end')).toBe('end');
  });

  it('maps expected revisions', () => {
    expect(toEsdbRevision('any')).toBe('any');
    expect(toEsdbRevision('no_stream')).toBe('no_stream');
    expect(toEsdbRevision('stream_exists')).toBe('stream_exists');
    expect(toEsdbRevision(7n)).toBe(7n);
  });

  it('maps read revisions and directions', () => {
    expect(toEsdbReadRevision('start')).toBe('start');
    expect(toEsdbReadRevision('end')).toBe('end');
    expect(toEsdbReadRevision(3n)).toBe(3n);
    expect(toEsdbDirection('forwards')).toBe('forwards');
    expect(toEsdbDirection('backwards')).toBe('backwards');
  });

  it('reports a missing stream as no_stream', () => {
    expect(toActualRevision('no_stream')).toBe('no_stream');
    expect(toActualRevision(-1n)).toBe('no_stream');
    expect(toActualRevision(0n)).toBe(0n);
  });
});

describe('EventStoreDB server-side filters', () => {
  it('excludes system events when no filter is given', () => {
    expect(toServerFilter(undefined)).toMatchObject({ filterOn: 'eventType', regex: '^[^$].*' });
    expect(toServerFilter({ streamPrefixes: [] })).toMatchObject({ filterOn: 'eventType', regex: '^[^$].*' });
  });

  it('prefers stream prefixes, else an exact, escaped event-type regex', () => {
    expect(toServerFilter({ streamPrefixes: ['order-'], eventTypes: ['A'] })).toMatchObject({
      filterOn: 'streamName',
      prefixes: ['order-'],
    });
    expect(toServerFilter({ eventTypes: ['A', 'b.c'] })).toMatchObject({ filterOn: 'eventType', regex: '^(?:A|b\\.c)$' });
  });

  it('builds a regex that matches exactly the given types', () => {
    const regex = new RegExp(eventTypesRegex(['Order.Placed', 'x+y', 'Plain']));
    expect(['Order.Placed', 'x+y', 'Plain'].every((type) => regex.test(type))).toBe(true);
    expect(['OrderXPlaced', 'xxy', 'Plainer', 'APlain'].some((type) => regex.test(type))).toBe(false);
  });
});

describe('EventStoreDB recorded event mapping', () => {
  const created = new Date('2024-01-02T03:04:05.000Z');

  it('maps a JSON event read from $all', () => {
    expect(
      toRecordedEvent({
        id: 'e1',
        type: 'Placed',
        streamId: 'order-1',
        revision: 3n,
        created,
        data: { n: 1 },
        metadata: { $correlationId: 'c', $causationId: 'k', principal: 'p' },
        position: { commit: 900n, prepare: 900n },
      }),
    ).toEqual({
      id: 'e1',
      type: 'Placed',
      streamId: 'order-1',
      revision: 3n,
      position: 900n,
      data: { n: 1 },
      metadata: { correlationId: 'c', causationId: 'k', principal: 'p' },
      created,
    });
  });

  it('falls back to the resolved event commit position, and refuses an event without any position', () => {
    const event = { id: 'e1', type: 'T', streamId: 's', revision: 0n, created, data: {}, metadata: undefined };
    expect(toRecordedEvent(event, 42n).position).toBe(42n);
    expect(toRecordedEvent(event, 42n).metadata).toEqual({});
    expect(() => toRecordedEvent(event)).toThrow(/without a position/);
  });
});
