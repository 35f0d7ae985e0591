import { expect } from 'vitest';

/** Each value above the one before it (log positions in the order they were read or written). */
export function expectStrictlyIncreasing(values: readonly bigint[]): void {
  let previous: bigint | undefined;
  for (const value of values) {
    if (previous !== undefined) expect(value).toBeGreaterThan(previous);
    previous = value;
  }
}
