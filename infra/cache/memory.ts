import { LRUCache } from 'lru-cache';
import type { z } from 'zod';
import { CacheCounterOutOfRangeError, CacheUnavailableError, CacheValueNotNumericError } from './errors.ts';
import type { Cache, CacheWriteOptions } from './port.ts';
import { MAX_SAFE, checkIncrement, decodeJson, encodeJson, parseStoredInteger, ttlOf } from './shared.ts';

export interface MemoryCacheOptions {
  /** Most entries held; writing a new key beyond it evicts the least recently used one. Default 10,000. */
  maxEntries?: number;
  /** How often expired entries are reclaimed without being read (an unref'd timer). Default 1,000 ms; 0 = never. */
  sweepIntervalMs?: number;
}

/**
 * The embedded Cache: an in-process LRU (lru-cache) with the port's semantics (see port.ts). Each instance is its own
 * namespace. Every operation runs synchronously inside one call, so increments are atomic within the process; nothing
 * is shared between processes. Bounded by entry count, not bytes. "Use" for the LRU order = any read or write of the
 * key.
 */
export class MemoryCache implements Cache {
  private readonly entries: LRUCache<string, string>;
  private readonly sweeper: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(options: MemoryCacheOptions = {}) {
    const { maxEntries = 10_000, sweepIntervalMs = 1000 } = options;
    if (!Number.isSafeInteger(maxEntries) || maxEntries < 1) throw new RangeError(`maxEntries must be a positive integer, got ${maxEntries}`);
    if (!Number.isSafeInteger(sweepIntervalMs) || sweepIntervalMs < 0) {
      throw new RangeError(`sweepIntervalMs must be a non-negative integer, got ${sweepIntervalMs}`);
    }
    // ttlResolution 0: the clock is read on every check, so an entry is gone as soon as its ttl has passed, as in
    // Redis. Expired entries are reclaimed by one sweep timer rather than a timer per entry (ttlAutopurge).
    this.entries = new LRUCache({ max: maxEntries, ttlResolution: 0 });
    if (sweepIntervalMs > 0) {
      this.sweeper = setInterval(() => this.sweep(), sweepIntervalMs);
      this.sweeper.unref();
    }
  }

  /** Entries held, including expired ones not yet reclaimed. */
  get size(): number {
    return this.entries.size;
  }

  async get(key: string): Promise<string | null> {
    this.checkOpen();
    return this.entries.get(key) ?? null;
  }

  async getJson<T>(key: string, schema: z.ZodType<T>): Promise<T | null> {
    this.checkOpen();
    const value = this.entries.get(key);
    if (value === undefined) return null;
    const decoded = decodeJson(value, schema);
    if (decoded) return decoded.value;
    this.entries.delete(key);
    return null;
  }

  async set(key: string, value: string, options?: CacheWriteOptions): Promise<void> {
    this.checkOpen();
    this.write(key, value, options);
  }

  async setJson(key: string, value: unknown, options?: CacheWriteOptions): Promise<void> {
    this.checkOpen();
    this.write(key, encodeJson(value), options);
  }

  async delete(key: string): Promise<boolean> {
    this.checkOpen();
    const existed = this.entries.has(key);
    this.entries.delete(key);
    return existed;
  }

  async deleteByPrefix(prefix: string): Promise<number> {
    this.checkOpen();
    // Expired entries go first, so that only live ones are counted.
    this.entries.purgeStale();
    const matching = [...this.entries.keys()].filter((key) => key.startsWith(prefix));
    for (const key of matching) this.entries.delete(key);
    return matching.length;
  }

  async increment(key: string, by = 1, options?: CacheWriteOptions): Promise<number> {
    this.checkOpen();
    checkIncrement(by);
    const ttlMs = ttlOf(options);
    const stored = this.entries.get(key);
    const current = stored === undefined ? 0n : parseStoredInteger(stored);
    if (current === undefined) throw new CacheValueNotNumericError(key);
    const next = current + BigInt(by);
    if (next > MAX_SAFE || next < -MAX_SAFE) throw new CacheCounterOutOfRangeError(key, by);
    // An existing counter keeps its expiry (or its lack of one); the ttl applies only when this creates it.
    if (stored === undefined) this.entries.set(key, next.toString(), { ttl: ttlMs ?? 0 });
    else this.entries.set(key, next.toString(), { noUpdateTTL: true });
    return Number(next);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.sweeper) clearInterval(this.sweeper);
    this.entries.clear();
  }

  /** Removes every expired entry. O(entries); runs on the sweep timer. */
  sweep(): void {
    this.entries.purgeStale();
  }

  private checkOpen(): void {
    if (this.closed) throw new CacheUnavailableError('cache is closed');
  }

  /** A write replaces the expiry: without a ttl the entry is permanent. */
  private write(key: string, value: string, options: CacheWriteOptions | undefined): void {
    this.entries.set(key, value, { ttl: ttlOf(options) ?? 0 });
  }
}
