import Database from 'better-sqlite3';
import { z } from 'zod';
import { appError, type AppError } from '../../domain/shared/app-error.ts';

/** A global position as a decimal string (positions are 64-bit; JSON numbers are not). */
export const positionSchema = z.string().regex(/^\d{1,20}$/);

/** What a copy of the embedded event store holds, as checked by `inspectLog`. */
export const logFactsSchema = z.object({
  events: z.int().nonnegative(),
  streams: z.int().nonnegative(),
  /** Null for an empty log. */
  firstPosition: positionSchema.nullable(),
  /** "0" for an empty log. */
  lastPosition: positionSchema,
  /** Per event type, the newest schema version stored (an event without one is v1, as the registry reads it). */
  eventTypes: z.record(z.string(), z.int().positive()),
});
export type LogFacts = z.infer<typeof logFactsSchema>;

const REQUIRED_COLUMNS = ['position', 'stream_id', 'revision', 'event_id', 'type', 'data', 'metadata', 'created_at'];
/** How many offending streams a refusal names (the count says how many there are). */
const EXAMPLES = 5;

/**
 * Checks a copy of the event store as a whole and says what it holds: SQLite's own integrity check (every page, every
 * index), the `events` table as the adapter writes it, every stream's revisions 0..n-1 without a gap, and the next
 * position the store would assign lying past the last one (so a restored store never hands out a position twice).
 * Reads every row once or twice: proportional to the log, like the backup itself.
 */
export function inspectLog(db: Database.Database): LogFacts | AppError {
  const integrity = db.pragma('integrity_check') as Array<{ integrity_check: string }>;
  const messages = integrity.map((row) => row.integrity_check);
  if (messages.length !== 1 || messages[0] !== 'ok') {
    return appError('unprocessable', 'LOG_CORRUPT', 'the SQLite integrity check failed', { problems: messages.slice(0, 20) });
  }

  const columns = (db.pragma('table_info(events)') as Array<{ name: string }>).map((column) => column.name);
  const missing = REQUIRED_COLUMNS.filter((name) => !columns.includes(name));
  if (missing.length > 0) {
    return appError(
      'unprocessable',
      'NOT_AN_EVENT_STORE',
      columns.length === 0 ? 'the file has no events table' : 'the events table lacks columns the event store writes',
      { missing },
    );
  }

  const totals = db.prepare('SELECT count(*) AS events, min(position) AS first, max(position) AS last FROM events').safeIntegers(true).get() as {
    events: bigint;
    first: bigint | null;
    last: bigint | null;
  };

  // Served by the (stream_id, revision) unique index: one pass over it, no sort.
  const perStream = 'SELECT stream_id, count(*) AS n, min(revision) AS low, max(revision) AS high FROM events GROUP BY stream_id';
  const streams = (db.prepare(`SELECT count(*) AS streams FROM (${perStream})`).get() as { streams: number }).streams;
  const gapped = db.prepare(`SELECT stream_id AS streamId, n AS events, low, high FROM (${perStream}) WHERE low != 0 OR high != n - 1`).all() as Array<{
    streamId: string;
    events: number;
    low: number;
    high: number;
  }>;
  if (gapped.length > 0) {
    return appError('unprocessable', 'LOG_INCONSISTENT', `${gapped.length} stream(s) do not hold revisions 0..n-1`, {
      streams: gapped.length,
      examples: gapped.slice(0, EXAMPLES),
    });
  }

  const last = totals.last ?? 0n;
  const sequence = db.prepare("SELECT seq FROM sqlite_sequence WHERE name = 'events'").safeIntegers(true).get() as { seq: bigint } | undefined;
  if (last > 0n && (sequence === undefined || sequence.seq < last)) {
    return appError('unprocessable', 'LOG_INCONSISTENT', 'the next position the store would assign is not past its last event', {
      lastPosition: last.toString(),
      sequence: sequence?.seq.toString() ?? null,
    });
  }

  const types = db.prepare("SELECT type, max(coalesce(json_extract(metadata, '$.schemaVersion'), 1)) AS version FROM events GROUP BY type").all() as Array<{
    type: string;
    version: number;
  }>;

  return {
    events: Number(totals.events),
    streams,
    firstPosition: totals.first === null ? null : totals.first.toString(),
    lastPosition: last.toString(),
    eventTypes: Object.fromEntries(types.map(({ type, version }) => [type, version])),
  };
}

/** The differences between what a backup says it holds and what a copy of it holds (empty: they agree). */
export function factDifferences(expected: LogFacts, actual: LogFacts): Array<{ field: string; expected: unknown; actual: unknown }> {
  const fields = ['events', 'streams', 'firstPosition', 'lastPosition'] as const;
  const differences: Array<{ field: string; expected: unknown; actual: unknown }> = fields
    .filter((field) => expected[field] !== actual[field])
    .map((field) => ({ field, expected: expected[field], actual: actual[field] }));
  const types = new Set([...Object.keys(expected.eventTypes), ...Object.keys(actual.eventTypes)]);
  for (const type of [...types].sort()) {
    if (expected.eventTypes[type] !== actual.eventTypes[type]) {
      differences.push({ field: `eventTypes.${type}`, expected: expected.eventTypes[type] ?? null, actual: actual.eventTypes[type] ?? null });
    }
  }
  return differences;
}

/** SQLite's own word that a file is damaged or no database, as a coded error (anything else: undefined). */
export function corruption(error: unknown, what: string): AppError | undefined {
  if (!(error instanceof Database.SqliteError) || !['SQLITE_CORRUPT', 'SQLITE_NOTADB'].includes(error.code)) return undefined;
  return appError('unprocessable', 'LOG_CORRUPT', `${what} is damaged: ${error.message}`, { sqlite: error.code });
}
