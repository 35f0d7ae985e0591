import { afterEach, describe, expect, it } from 'vitest';
import { MemoryCache, type MemoryCacheOptions } from '../../infra/cache/memory.ts';
import { describeCacheContract } from './cache.contract.ts';
import { waitFor } from '../support/async.ts';

// Each MemoryCache is its own namespace, so the namespace argument needs no mapping.
describeCacheContract('in-process LRU', async () => new MemoryCache());

describe('in-process LRU cache', () => {
  const opened: MemoryCache[] = [];
  const open = (options: MemoryCacheOptions = {}) => {
    const cache = new MemoryCache(options);
    opened.push(cache);
    return cache;
  };
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((cache) => cache.close()));
  });

  it('evicts the least recently used entry beyond maxEntries; reads and increments count as use', async () => {
    const cache = open({ maxEntries: 3 });
    await cache.set('a', '1');
    await cache.set('b', '2');
    await cache.set('c', '3');
    expect(await cache.get('a')).toBe('1');
    await cache.set('d', '4');
    expect(cache.size).toBe(3);
    expect(await cache.get('b')).toBeNull();

    expect(await cache.increment('c')).toBe(4);
    await cache.set('e', '5');
    expect(await cache.get('a')).toBeNull();
    expect([await cache.get('c'), await cache.get('d'), await cache.get('e')]).toEqual(['4', '4', '5']);

    // Rewriting an existing key does not evict anything.
    await cache.set('e', '6');
    expect(cache.size).toBe(3);
  });

  it('reclaims expired entries on its sweep without them being read', async () => {
    const cache = open({ sweepIntervalMs: 20 });
    for (let n = 0; n < 100; n += 1) await cache.set(`k${n}`, 'v', { ttlMs: 30 });
    await cache.set('kept', 'v');
    expect(cache.size).toBe(101);
    await waitFor(() => cache.size === 1, 2000, 'the sweep to reclaim the expired entries');
    expect(cache.size).toBe(1);
  });

  it('holds 10,000 entries by default', async () => {
    const cache = open();
    for (let n = 0; n < 10_001; n += 1) await cache.set(`k${n}`, 'v');
    expect(cache.size).toBe(10_000);
    expect(await cache.get('k0')).toBeNull();
    expect(await cache.get('k1')).toBe('v');
  });

  it('refuses nonsensical bounds', () => {
    expect(() => new MemoryCache({ maxEntries: 0 })).toThrow(RangeError);
    expect(() => new MemoryCache({ maxEntries: 1.5 })).toThrow(RangeError);
    expect(() => new MemoryCache({ sweepIntervalMs: -1 })).toThrow(RangeError);
  });
});
