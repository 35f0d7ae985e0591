import { describe, expect, it } from 'vitest';
import { StreamStateCache } from '../../commands/stream-state-cache.ts';

const at = (revision: bigint) => ({ revision });

describe('the write-side stream state cache', () => {
  it('evicts the least recently used stream beyond its bound, a read counting as a use', () => {
    const cache = new StreamStateCache<{ revision: bigint }>(2);
    cache.offer('a', at(1n));
    cache.offer('b', at(1n));
    expect(cache.get('a')).toEqual(at(1n));
    cache.offer('c', at(1n));
    expect(cache.size).toBe(2);
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('a')).toEqual(at(1n));
    expect(cache.get('c')).toEqual(at(1n));
  });

  it('keeps the newer snapshot when an older one is offered, and replaces it with a newer one', () => {
    const cache = new StreamStateCache<{ revision: bigint }>(2);
    cache.offer('a', at(5n));
    cache.offer('a', at(3n));
    expect(cache.get('a')).toEqual(at(5n));
    cache.offer('a', at(5n));
    cache.offer('a', at(7n));
    expect(cache.get('a')).toEqual(at(7n));
  });

  it('forgets a deleted stream', () => {
    const cache = new StreamStateCache<{ revision: bigint }>();
    cache.offer('a', at(1n));
    cache.delete('a');
    expect(cache.get('a')).toBeUndefined();
    expect(cache.size).toBe(0);
  });
});
