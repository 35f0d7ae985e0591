import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { CacheCounterOutOfRangeError, CacheUnavailableError, CacheValueNotNumericError } from '../../infra/cache/errors.ts';
import type { Cache } from '../../infra/cache/port.ts';
import { required } from '../../domain/shared/required.ts';
import { waitFor } from '../support/async.ts';

// Fixed waits on purpose: TTLs run on the store's own clock (Redis's, not ours), so the only way to see one pass is
// to let that much time pass. Every sleep below lets a TTL pass, or not yet pass.
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The Cache port's contract. Every adapter runs it. `open(namespace)` opens a cache whose keys live under that
 * namespace (for Redis, the key prefix); namespaces are random per run and emptied afterwards, so the suite works
 * against a shared Redis that holds other data and alongside parallel runs.
 */
export function describeCacheContract(adapterName: string, open: (namespace: string) => Promise<Cache>): void {
  describe(`Cache contract: ${adapterName}`, () => {
    const run = `agtest:${randomUUID().slice(0, 8)}:`;
    const opened: Cache[] = [];
    const openIn = async (name: string) => {
      const cache = await open(`${run}${name}:`);
      opened.push(cache);
      return cache;
    };
    let cache: Cache;
    const key = (name: string) => `${name}-${randomUUID().slice(0, 8)}`;

    beforeAll(async () => {
      cache = await openIn('main');
    });
    afterAll(async () => {
      for (const each of opened) {
        await each.deleteByPrefix('').catch(() => 0);
        await each.close();
      }
    });

    describe('get and set', () => {
      it('reads back what was set and misses with null', async () => {
        const k = key('a');
        expect(await cache.get(k)).toBeNull();
        await cache.set(k, 'value 1');
        expect(await cache.get(k)).toBe('value 1');
        await cache.set(k, '');
        expect(await cache.get(k)).toBe('');
      });

      it('round-trips unicode and large values', async () => {
        const k = key('ü-🚀');
        const value = `héllo 🚀 ${'x'.repeat(100_000)}`;
        await cache.set(k, value);
        expect(await cache.get(k)).toBe(value);
      });
    });

    describe('expiry', () => {
      it('forgets a value once its ttl has passed', async () => {
        const k = key('ttl');
        // A ttl long enough that the first read comes before it on a loaded machine (100 ms did not, once), then a
        // wait for the expiry itself rather than a fixed sleep past it.
        await cache.set(k, 'v', { ttlMs: 1_000 });
        expect(await cache.get(k)).toBe('v');
        await waitFor(async () => (await cache.get(k)) === null, 5_000, 'the entry to expire');
        expect(await cache.delete(k)).toBe(false);
      });

      it('replaces the expiry on set: a set without ttl makes the entry permanent', async () => {
        const k = key('ttl-reset');
        await cache.set(k, 'short', { ttlMs: 60 });
        await cache.set(k, 'forever');
        await sleep(130);
        expect(await cache.get(k)).toBe('forever');
      });

      it('applies ttl to JSON values', async () => {
        const k = key('ttl-json');
        await cache.setJson(k, { n: 1 }, { ttlMs: 100 });
        expect(await cache.getJson(k, z.object({ n: z.number() }))).toEqual({ n: 1 });
        await sleep(200);
        expect(await cache.getJson(k, z.object({ n: z.number() }))).toBeNull();
      });

      it('rejects a ttl that is not a positive safe integer, writing nothing', async () => {
        const k = key('bad-ttl');
        for (const ttlMs of [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 53]) {
          await expect(cache.set(k, 'v', { ttlMs })).rejects.toBeInstanceOf(RangeError);
          await expect(cache.setJson(k, 1, { ttlMs })).rejects.toBeInstanceOf(RangeError);
          await expect(cache.increment(k, 1, { ttlMs })).rejects.toBeInstanceOf(RangeError);
        }
        expect(await cache.get(k)).toBeNull();
      });
    });

    describe('JSON', () => {
      const Role = z.object({ id: z.string(), holders: z.array(z.string()), since: z.coerce.date() });

      it('stores JSON and returns the schema’s output', async () => {
        const k = key('json');
        const since = new Date('2024-01-02T03:04:05.000Z');
        await cache.setJson(k, { id: 'r1', holders: ['s1', 's2'], since, extra: true });
        expect(await cache.get(k)).toBe('{"id":"r1","holders":["s1","s2"],"since":"2024-01-02T03:04:05.000Z","extra":true}');
        expect(await cache.getJson(k, Role)).toEqual({ id: 'r1', holders: ['s1', 's2'], since });
        expect(await cache.getJson(key('json-missing'), Role)).toBeNull();
        // Values are decoded afresh: mutating one result does not change the next.
        const first = required(await cache.getJson(k, Role), 'the value set above');
        first.holders.push('s3');
        expect((await cache.getJson(k, Role))?.holders).toEqual(['s1', 's2']);
      });

      it('treats a value that fails the schema as a miss and deletes it', async () => {
        const k = key('json-invalid');
        await cache.setJson(k, { id: 'r1', holders: 'not an array' });
        expect(await cache.getJson(k, Role)).toBeNull();
        expect(await cache.get(k)).toBeNull();
      });

      it('treats a value that is not JSON as a miss and deletes it', async () => {
        const k = key('json-garbage');
        await cache.set(k, '{"id": "r1", ');
        expect(await cache.getJson(k, Role)).toBeNull();
        expect(await cache.get(k)).toBeNull();
      });

      it('refuses a value without a JSON form, storing nothing', async () => {
        const k = key('json-none');
        await expect(cache.setJson(k, undefined)).rejects.toBeInstanceOf(TypeError);
        await expect(cache.setJson(k, () => 1)).rejects.toBeInstanceOf(TypeError);
        await expect(cache.setJson(k, { big: 1n })).rejects.toBeInstanceOf(TypeError);
        expect(await cache.get(k)).toBeNull();
        await cache.setJson(k, null);
        expect(await cache.getJson(k, z.null())).toBeNull();
        expect(await cache.get(k)).toBe('null');
      });
    });

    describe('delete', () => {
      it('deletes one key and says whether it existed', async () => {
        const k = key('del');
        const other = key('del');
        await cache.set(k, 'v');
        await cache.set(other, 'w');
        expect(await cache.delete(k)).toBe(true);
        expect(await cache.delete(k)).toBe(false);
        expect(await cache.get(k)).toBeNull();
        expect(await cache.get(other)).toBe('w');
      });
    });

    describe('deleteByPrefix', () => {
      it('deletes exactly the keys with the prefix and counts them', async () => {
        const p = key('dp');
        await cache.set(`${p}:role:1`, 'a');
        await cache.set(`${p}:role:2`, 'b');
        await cache.set(`${p}:roles`, 'c');
        await cache.set(`${p}:org:1`, 'd');
        await cache.set(`x${p}:role:3`, 'e');
        expect(await cache.deleteByPrefix(`${p}:role:`)).toBe(2);
        expect(await cache.get(`${p}:role:1`)).toBeNull();
        expect(await cache.get(`${p}:role:2`)).toBeNull();
        expect(await cache.get(`${p}:roles`)).toBe('c');
        expect(await cache.get(`${p}:org:1`)).toBe('d');
        expect(await cache.get(`x${p}:role:3`)).toBe('e');
        expect(await cache.deleteByPrefix(`${p}:role:`)).toBe(0);
        expect(await cache.deleteByPrefix(`${p}:nothing:`)).toBe(0);
      });

      it('does not count expired entries', async () => {
        const p = key('dp-exp');
        await cache.set(`${p}:1`, 'a', { ttlMs: 50 });
        await cache.set(`${p}:2`, 'b');
        await sleep(110);
        expect(await cache.deleteByPrefix(`${p}:`)).toBe(1);
      });

      it('takes glob characters in the prefix literally', async () => {
        const p = key('glob');
        const keys = {
          star: `${p}:a*b:1`,
          starTwin: `${p}:axyzb:1`,
          question: `${p}:q?:1`,
          questionTwin: `${p}:qx:1`,
          bracket: `${p}:[ab]:1`,
          bracketTwin: `${p}:a:1`,
          open: `${p}:r[:1`,
          openTwin: `${p}:r:1`,
          backslash: `${p}:b\\:1`,
          backslashTwin: `${p}:b:1`,
        };
        for (const [name, k] of Object.entries(keys)) await cache.set(k, name);

        expect(await cache.deleteByPrefix(`${p}:a*b:`)).toBe(1);
        expect(await cache.deleteByPrefix(`${p}:q?:`)).toBe(1);
        expect(await cache.deleteByPrefix(`${p}:[ab]:`)).toBe(1);
        expect(await cache.deleteByPrefix(`${p}:r[:`)).toBe(1);
        expect(await cache.deleteByPrefix(`${p}:b\\:`)).toBe(1);
        expect(await cache.deleteByPrefix(`${p}:*`)).toBe(0);

        for (const [name, k] of Object.entries(keys)) {
          expect(await cache.get(k), name).toBe(name.endsWith('Twin') ? name : null);
        }
      });

      it('deletes thousands of keys completely (in batches)', async () => {
        const p = key('bulk');
        const count = 2500;
        await Promise.all(Array.from({ length: count }, (_, n) => cache.set(`${p}:${n}`, String(n))));
        await cache.set(`${p}-sibling`, 'kept');
        expect(await cache.deleteByPrefix(`${p}:`)).toBe(count);
        expect(await cache.deleteByPrefix(`${p}:`)).toBe(0);
        const sample = await Promise.all([0, 1, 999, 1000, 1001, 2499].map((n) => cache.get(`${p}:${n}`)));
        expect(sample).toEqual([null, null, null, null, null, null]);
        expect(await cache.get(`${p}-sibling`)).toBe('kept');
      });
    });

    describe('increment', () => {
      it('creates a missing counter from 0 and adds to an existing one', async () => {
        const k = key('inc');
        expect(await cache.increment(k)).toBe(1);
        expect(await cache.increment(k)).toBe(2);
        expect(await cache.increment(k, 10)).toBe(12);
        expect(await cache.increment(k, -20)).toBe(-8);
        expect(await cache.increment(k, 0)).toBe(-8);
        expect(await cache.get(k)).toBe('-8');
        expect(await cache.increment(key('inc-by'), 5)).toBe(5);
      });

      it('continues a counter seeded with set', async () => {
        const k = key('inc-seed');
        await cache.set(k, '41');
        expect(await cache.increment(k)).toBe(42);
      });

      it('loses no update under 200 concurrent increments', async () => {
        const k = key('inc-conc');
        const results = await Promise.all(Array.from({ length: 200 }, () => cache.increment(k)));
        expect(await cache.get(k)).toBe('200');
        expect(new Set(results).size).toBe(200);
        expect(Math.max(...results)).toBe(200);
      });

      it('applies the ttl only when it creates the counter', async () => {
        const k = key('inc-ttl');
        expect(await cache.increment(k, 1, { ttlMs: 150 })).toBe(1);
        await sleep(20);
        // An existing counter keeps its expiry: this ttl is ignored.
        expect(await cache.increment(k, 1, { ttlMs: 10_000 })).toBe(2);
        await sleep(200);
        expect(await cache.get(k)).toBeNull();
        // Expired counts as absent: created afresh, with the new ttl.
        expect(await cache.increment(k, 5, { ttlMs: 100 })).toBe(5);
        await sleep(200);
        expect(await cache.get(k)).toBeNull();
      });

      it('keeps the expiry of a value set with a ttl, and keeps a permanent counter permanent', async () => {
        const k = key('inc-keep');
        await cache.set(k, '10', { ttlMs: 100 });
        expect(await cache.increment(k)).toBe(11);
        await sleep(200);
        expect(await cache.get(k)).toBeNull();

        const permanent = key('inc-perm');
        expect(await cache.increment(permanent)).toBe(1);
        expect(await cache.increment(permanent, 1, { ttlMs: 50 })).toBe(2);
        await sleep(110);
        expect(await cache.get(permanent)).toBe('2');
      });

      it('refuses a value that is not a canonical integer, leaving it unchanged', async () => {
        for (const value of ['abc', '1.5', '01', '+1', '-0', ' 1', '1 ', '', '1e3', '{"n":1}', '9223372036854775808']) {
          const k = key('inc-nan');
          await cache.set(k, value);
          const failure = await cache.increment(k).catch((error: unknown) => error);
          expect(failure, JSON.stringify(value)).toBeInstanceOf(CacheValueNotNumericError);
          expect(failure).toMatchObject({ key: k });
          expect(await cache.get(k)).toBe(value);
        }
      });

      it('refuses a result outside the safe integer range, leaving the value unchanged', async () => {
        const k = key('inc-range');
        await cache.set(k, String(Number.MAX_SAFE_INTEGER - 1));
        expect(await cache.increment(k)).toBe(Number.MAX_SAFE_INTEGER);
        await expect(cache.increment(k)).rejects.toBeInstanceOf(CacheCounterOutOfRangeError);
        expect(await cache.get(k)).toBe(String(Number.MAX_SAFE_INTEGER));
        expect(await cache.increment(k, -Number.MAX_SAFE_INTEGER)).toBe(0);
        await expect(cache.increment(k, -Number.MAX_SAFE_INTEGER - 1)).rejects.toBeInstanceOf(RangeError);

        // A 64-bit value beyond the safe range can only move back into it.
        const big = key('inc-big');
        await cache.set(big, '9223372036854775807');
        await expect(cache.increment(big, 1)).rejects.toBeInstanceOf(CacheCounterOutOfRangeError);
        await expect(cache.increment(big, -1)).rejects.toBeInstanceOf(CacheCounterOutOfRangeError);
        expect(await cache.get(big)).toBe('9223372036854775807');
      });

      it('rejects an increment that is not a safe integer', async () => {
        const k = key('inc-by-bad');
        for (const by of [1.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 53]) {
          await expect(cache.increment(k, by)).rejects.toBeInstanceOf(RangeError);
        }
        expect(await cache.get(k)).toBeNull();
      });
    });

    describe('namespaces', () => {
      it('keeps caches in different namespaces apart', async () => {
        const a = await openIn('ns-a');
        const b = await openIn('ns-b');
        await a.set('shared', 'from a');
        await b.set('shared', 'from b');
        await a.set('only-a', 'x');
        expect(await a.get('shared')).toBe('from a');
        expect(await b.get('shared')).toBe('from b');
        expect(await a.increment('counter')).toBe(1);
        expect(await b.increment('counter')).toBe(1);
        expect(await b.get('only-a')).toBeNull();

        expect(await a.deleteByPrefix('')).toBe(3);
        expect(await a.get('shared')).toBeNull();
        expect(await b.get('shared')).toBe('from b');
        expect(await b.delete('counter')).toBe(true);
      });

      it('takes glob characters in the namespace literally', async () => {
        // Unescaped, `g[ab]*:*` would also match the keys of `ga-victim:`.
        const globbed = await openIn('g[ab]*');
        const victim = await openIn('ga-victim');
        await globbed.set('k', '1');
        await victim.set('k', '2');
        expect(await globbed.deleteByPrefix('')).toBe(1);
        expect(await victim.get('k')).toBe('2');
      });
    });

    describe('close', () => {
      it('rejects every call after close with CacheUnavailableError; closing twice is fine', async () => {
        const closing = await openIn('closing');
        await closing.set('k', 'v');
        await closing.deleteByPrefix('');
        await closing.close();
        await closing.close();
        const calls: Array<() => Promise<unknown>> = [
          () => closing.get('k'),
          () => closing.getJson('k', z.string()),
          () => closing.set('k', 'v'),
          () => closing.setJson('k', 1),
          () => closing.delete('k'),
          () => closing.deleteByPrefix(''),
          () => closing.increment('k'),
        ];
        for (const call of calls) await expect(call()).rejects.toBeInstanceOf(CacheUnavailableError);
      });
    });
  });
}
