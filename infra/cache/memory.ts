import { performance } from 'node:perf_hooks';
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

interface Entry {
  value: string;
  /** On the `performance.now()` clock; undefined = no expiry. */
  expiresAt: number | undefined;
}

/**
 * The embedded Cache: an in-process LRU with the port's semantics (see port.ts). Each instance is its own namespace.
 * Every operation runs synchronously inside one call, so increments are atomic within the process; nothing is shared
 * between processes. Bounded by entry count, not bytes. "Use" for the LRU order = any read or write of the key.
 */
export class MemoryCache implements Cache {
  /** Map iteration order is the LRU order: the first key is the least recently used. */
  private readonly entries = new Map<string, Entry>();
  private readonly maxEntries: number;
  private readonly sweeper: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(options: MemoryCacheOptions = {}) {
    const { maxEntries = 10_000, sweepIntervalMs = 1000 } = options;
    if (!Number.isSafeInteger(maxEntries) || maxEntries < 1) throw new RangeError(`maxEntries must be a positive integer, got ${maxEntries}`);
    if (!Number.isSafeInteger(sweepIntervalMs) || sweepIntervalMs < 0) {
      throw new RangeError(`sweepIntervalMs must be a non-negative integer, got ${sweepIntervalMs}`);
    }
    this.maxEntries = maxEntries;
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
    return this.live(key)?.value ?? null;
  }

  async getJson<T>(key: string, schema: z.ZodType<T>): Promise<T | null> {
    this.checkOpen();
    const entry = this.live(key);
    if (!entry) return null;
    const decoded = decodeJson(entry.value, schema);
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
    const existed = this.live(key) !== undefined;
    this.entries.delete(key);
    return existed;
  }

  async deleteByPrefix(prefix: string): Promise<number> {
    this.checkOpen();
    const now = performance.now();
    let deleted = 0;
    // Deleting the entry just visited while iterating a Map is safe.
    for (const [key, entry] of this.entries) {
      if (!key.startsWith(prefix)) continue;
      if (!expired(entry, now)) deleted += 1;
      this.entries.delete(key);
    }
    return deleted;
  }

  async increment(key: string, by = 1, options?: CacheWriteOptions): Promise<number> {
    this.checkOpen();
    checkIncrement(by);
    const ttlMs = ttlOf(options);
    const entry = this.live(key);
    const current = entry ? parseStoredInteger(entry.value) : 0n;
    if (current === undefined) throw new CacheValueNotNumericError(key);
    const next = current + BigInt(by);
    if (next > MAX_SAFE || next < -MAX_SAFE) throw new CacheCounterOutOfRangeError(key, by);
    if (entry) {
      entry.value = next.toString();
    } else {
      this.insert(key, { value: next.toString(), expiresAt: ttlMs === undefined ? undefined : performance.now() + ttlMs });
    }
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
    const now = performance.now();
    for (const [key, entry] of this.entries) if (expired(entry, now)) this.entries.delete(key);
  }

  private checkOpen(): void {
    if (this.closed) throw new CacheUnavailableError('cache is closed');
  }

  /** The unexpired entry, marked most recently used; an expired one is removed on the way. */
  private live(key: string): Entry | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    this.entries.delete(key);
    if (expired(entry, performance.now())) return undefined;
    this.entries.set(key, entry);
    return entry;
  }

  private write(key: string, value: string, options: CacheWriteOptions | undefined): void {
    const ttlMs = ttlOf(options);
    this.entries.delete(key);
    this.insert(key, { value, expiresAt: ttlMs === undefined ? undefined : performance.now() + ttlMs });
  }

  /** Adds a key that is not in the map, evicting least recently used entries beyond the bound. */
  private insert(key: string, entry: Entry): void {
    this.entries.set(key, entry);
    for (const oldest of this.entries.keys()) {
      if (this.entries.size <= this.maxEntries) break;
      this.entries.delete(oldest);
    }
  }
}

/** Readable while fewer than ttlMs have elapsed, matching Redis (a key expires once its deadline has passed). */
function expired(entry: Entry, now: number): boolean {
  return entry.expiresAt !== undefined && now >= entry.expiresAt;
}
