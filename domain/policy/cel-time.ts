import { LRUCache } from 'lru-cache';

/**
 * Time helpers for CEL conditions that do not depend on the server's own time zone.
 *
 * The package's time-zone getters (`ts.getHours("Europe/Zurich")`, ...) build a local-time Date from a formatted
 * string and read it back in the PROCESS time zone, so around that zone's DST changes they are off by an hour, and
 * `getDayOfYear()` is a day off in summer on a server not running in UTC; each call also costs ~45 us (a new
 * formatter per call). `timestamp("2026-01-01T00:00:00")` (no zone) is parsed in the process time zone too.
 * Conditions therefore use these instead (conditions.ts refuses the others):
 * - `ts.inZone("Europe/Zurich")`: the wall-clock fields of an instant in an IANA time zone, as a map of ints:
 *   year, month (1-12), day (1-31), hour (0-23), minute, second, dayOfWeek (0 = Sunday), dayOfYear (1-366);
 * - `instant(string)`: an ISO-8601 instant that must carry its zone (`Z` or `+hh:mm`).
 */

const MAX_CACHED_ZONES = 64;
const formatters = new LRUCache<string, Intl.DateTimeFormat>({ max: MAX_CACHED_ZONES });

/** A formatter for the zone, cached; throws a RangeError for an unknown zone. */
function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (formatter === undefined) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

/** Whether `timeZone` is an IANA zone this runtime knows. */
export function isKnownTimeZone(timeZone: string): boolean {
  try {
    formatterFor(timeZone);
    return true;
  } catch {
    return false;
  }
}

const WALL_CLOCK_FIELDS = ['year', 'month', 'day', 'hour', 'minute', 'second'] as const;
type WallClockField = (typeof WALL_CLOCK_FIELDS)[number];

export type ZonedFields = ReadonlyMap<WallClockField | 'dayOfWeek' | 'dayOfYear', bigint>;

/** Wall-clock fields of `instant` in `timeZone` (CEL ints). Throws for an unknown zone or an invalid instant. */
export function zonedFields(instant: Date, timeZone: string): ZonedFields {
  if (Number.isNaN(instant.getTime())) throw new RangeError('invalid timestamp');
  let formatter: Intl.DateTimeFormat;
  try {
    formatter = formatterFor(timeZone);
  } catch {
    throw new RangeError(`unknown time zone ${JSON.stringify(timeZone.slice(0, 64))}`);
  }
  // The formatter's parts by type, as numbers (its literals, the separators, are never read).
  const parts = new Map(formatter.formatToParts(instant).map((part) => [part.type, Number(part.value)]));
  const wallClock = (field: WallClockField) => parts.get(field) ?? 0;
  // Calendar arithmetic on the wall-clock date, in UTC so the process time zone plays no part.
  const midnight = Date.UTC(wallClock('year'), wallClock('month') - 1, wallClock('day'));
  const dayOfWeek = new Date(midnight).getUTCDay();
  const dayOfYear = Math.round((midnight - Date.UTC(wallClock('year'), 0, 1)) / 86_400_000) + 1;
  return new Map([
    ...WALL_CLOCK_FIELDS.map((field) => [field, BigInt(wallClock(field))] as const),
    ['dayOfWeek', BigInt(dayOfWeek)],
    ['dayOfYear', BigInt(dayOfYear)],
  ]);
}
