import type { z } from 'zod';
import type { CacheWriteOptions } from './port.ts';

/** Argument checks and JSON coding shared by the adapters, so they reject and decode identically. */

/** The `ttlMs` of the options, validated; undefined = no expiry. */
export function ttlOf(options: CacheWriteOptions | undefined): number | undefined {
  const ttlMs = options?.ttlMs;
  if (ttlMs === undefined) return undefined;
  if (!Number.isSafeInteger(ttlMs) || ttlMs <= 0) {
    throw new RangeError(`ttlMs must be a positive safe integer number of milliseconds, got ${String(ttlMs)}`);
  }
  return ttlMs;
}

export function checkIncrement(by: number): void {
  if (!Number.isSafeInteger(by)) throw new RangeError(`increment must be a safe integer, got ${String(by)}`);
}

export function encodeJson(value: unknown): string {
  const encoded: unknown = JSON.stringify(value);
  if (typeof encoded !== 'string') throw new TypeError(`value has no JSON representation (${typeof value})`);
  return encoded;
}

/** The validated value, or `undefined` when the stored text is not JSON or fails the schema. */
export function decodeJson<T>(raw: string, schema: z.ZodType<T>): { value: T } | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    return undefined;
  }
  const result = schema.safeParse(parsed);
  return result.success ? { value: result.data } : undefined;
}

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const CANONICAL_INTEGER = /^(?:0|-?[1-9][0-9]{0,19})$/;

/** Redis's rule for INCRBY operands: a canonical base-10 integer that fits in 64 bits; undefined otherwise. */
export function parseStoredInteger(value: string): bigint | undefined {
  if (!CANONICAL_INTEGER.test(value)) return undefined;
  const parsed = BigInt(value);
  return parsed < INT64_MIN || parsed > INT64_MAX ? undefined : parsed;
}

export const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);
