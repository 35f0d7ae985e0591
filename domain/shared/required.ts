/**
 * `value`, which an invariant of the caller says is there (a regex group that always takes part, an index inside a
 * list's bounds); `why` states that invariant. Its absence is a bug, so it throws rather than answer an error value.
 */
export function required<T>(value: T | null | undefined, why: string): T {
  if (value === null || value === undefined) throw new Error(`required, but absent: ${why}`);
  return value;
}
