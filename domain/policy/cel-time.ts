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

export type ZonedFields = ReadonlyMap<'year' | 'month' | 'day' | 'hour' | 'minute' | 'second' | 'dayOfWeek' | 'dayOfYear', bigint>;

/** Wall-clock fields of `instant` in `timeZone` (CEL ints). Throws for an unknown zone or an invalid instant. */
export function zonedFields(instant: Date, timeZone: string): ZonedFields {
  if (Number.isNaN(instant.getTime())) throw new RangeError('invalid timestamp');
  let formatter: Intl.DateTimeFormat;
  try {
    formatter = formatterFor(timeZone);
  } catch {
    throw new RangeError(`unknown time zone ${JSON.stringify(timeZone.slice(0, 64))}`);
  }
  let year = 0;
  let month = 0;
  let day = 0;
  let hour = 0;
  let minute = 0;
  let second = 0;
  for (const part of formatter.formatToParts(instant)) {
    switch (part.type) {
      case 'year':
        year = Number(part.value);
        break;
      case 'month':
        month = Number(part.value);
        break;
      case 'day':
        day = Number(part.value);
        break;
      case 'hour':
        hour = Number(part.value);
        break;
      case 'minute':
        minute = Number(part.value);
        break;
      case 'second':
        second = Number(part.value);
        break;
      default:
        break;
    }
  }
  // Calendar arithmetic on the wall-clock date, in UTC so the process time zone plays no part.
  const midnight = Date.UTC(year, month - 1, day);
  const dayOfWeek = new Date(midnight).getUTCDay();
  const dayOfYear = Math.round((midnight - Date.UTC(year, 0, 1)) / 86_400_000) + 1;
  return new Map([
    ['year', BigInt(year)],
    ['month', BigInt(month)],
    ['day', BigInt(day)],
    ['hour', BigInt(hour)],
    ['minute', BigInt(minute)],
    ['second', BigInt(second)],
    ['dayOfWeek', BigInt(dayOfWeek)],
    ['dayOfYear', BigInt(dayOfYear)],
  ]);
}
