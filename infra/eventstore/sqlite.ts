import { EventEmitter } from 'node:events';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { EventStoreUnavailableError, StreamNotFoundError, WrongExpectedVersionError } from './errors.ts';
import {
  matchesFilter,
  type AllSubscription,
  type AppendResult,
  type EventFilter,
  type EventStore,
  type EventToAppend,
  type ExpectedRevision,
  type ReadAllOptions,
  type ReadStreamOptions,
  type RecordedEvent,
  type SubscribeToAllOptions,
} from './port.ts';
import type { JsonObject } from '../json-value.ts';

export interface SqliteEventStoreOptions {
  /** File path, or ':memory:' for tests. */
  path: string;
  /**
   * FULL fsyncs the WAL on every commit (an acknowledged append survives power loss); NORMAL survives a process
   * crash but not an OS crash. Group commit keeps FULL affordable.
   */
  synchronous?: 'FULL' | 'NORMAL';
  /** How often an idle subscription looks for events written by another process. */
  pollIntervalMs?: number;
  /** Events per read of a stream or of `$all`. */
  pageSize?: number;
  /**
   * Positions one filtered read of `$all` covers at most (default 16 pages). A filter that matches rarely would
   * otherwise make one read walk the log from its cursor to the end; bounded, the read stops there, the cursor moves
   * to the end of the window, and other work runs before the next window.
   */
  scanWindow?: number;
  /**
   * How long a group commit waits for another process's write transaction before failing with
   * EventStoreUnavailableError. The wait blocks this process's event loop (better-sqlite3 is synchronous).
   */
  busyTimeoutMs?: number;
}

/** A row of the events table, as SQLite returns it (64-bit integers as bigint). */
export interface EventRow {
  position: bigint;
  stream_id: string;
  revision: bigint;
  event_id: string;
  type: string;
  data: string;
  metadata: string;
  created_at: bigint;
}

/** One bounded read of `$all`: the rows that matched, how far it looked, and whether that was the head of the log. */
interface Scan {
  rows: EventRow[];
  /** The last position this read covered (matched or not); `from` - 1 (forwards) when it covered nothing. */
  scannedTo: bigint;
  /** Nothing lies beyond `scannedTo` in the read's direction (at the time of the read). */
  done: boolean;
}

/** What the adapter's reads of `$all` cost, as counts that do not depend on the machine's speed or load. */
export interface SqliteReadCosts {
  /** Positions covered by `$all` reads and subscriptions (the rows SQLite walks, whether they matched or not). */
  positionsScanned: number;
  /** Queries against `$all`. */
  pages: number;
}

interface PendingAppend {
  streamId: string;
  events: readonly EventToAppend[];
  expected: ExpectedRevision;
  resolve: (result: AppendResult) => void;
  reject: (error: unknown) => void;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS events (
  position   INTEGER PRIMARY KEY AUTOINCREMENT,
  stream_id  TEXT    NOT NULL,
  revision   INTEGER NOT NULL,
  event_id   TEXT    NOT NULL,
  type       TEXT    NOT NULL,
  data       TEXT    NOT NULL,
  metadata   TEXT    NOT NULL,
  created_at INTEGER NOT NULL,
  UNIQUE (stream_id, revision)
);
CREATE INDEX IF NOT EXISTS events_stream_event_id ON events (stream_id, event_id);
`;

/**
 * Embedded event store: one SQLite file in WAL mode; the global position is the row id, so `$all` order is commit
 * order. Appends that arrive in the same tick share one transaction (group commit); each runs in its own savepoint
 * so one failing append does not fail its neighbours.
 *
 * Several processes (or connections) may share the file: the group commit is an IMMEDIATE transaction, so it takes
 * the write lock before reading anything (no SQLITE_BUSY_SNAPSHOT on upgrade) and waits up to `busyTimeoutMs` for
 * another writer; positions are assigned under that lock, so they stay in commit order across processes. Each
 * process's subscriptions see the others' events by polling.
 */
export class SqliteEventStore implements EventStore {
  private readonly db: Database.Database;
  private readonly appended = new EventEmitter();
  private readonly pollIntervalMs: number;
  private readonly pageSize: number;
  private readonly scanWindow: bigint;
  private readonly costs: SqliteReadCosts = { positionsScanned: 0, pages: 0 };
  private queue: PendingAppend[] = [];
  private flushScheduled = false;
  private closed = false;
  private readonly statements = new Map<string, Database.Statement<unknown[], EventRow>>();

  private readonly lastEventStmt: Database.Statement<[string], { revision: bigint; position: bigint }>;
  private readonly findEventStmt: Database.Statement<[string, string], { revision: bigint; position: bigint }>;
  private readonly eventAtStmt: Database.Statement<[string, bigint], { event_id: string; position: bigint }>;
  private readonly insertStmt: Database.Statement<[string, bigint, string, string, string, string, number], void>;
  private readonly headStmt: Database.Statement<[], { position: bigint | null }>;
  private readonly groupCommit: (batch: PendingAppend[]) => Array<AppendResult | { error: unknown }>;

  constructor(options: SqliteEventStoreOptions) {
    if (options.path !== ':memory:') mkdirSync(dirname(options.path), { recursive: true });
    // The busy timeout is set first: switching to WAL and creating the schema may wait for another process too.
    this.db = new Database(options.path, { timeout: options.busyTimeoutMs ?? 10_000 });
    this.db.pragma('journal_mode = WAL');
    this.db.pragma(`synchronous = ${options.synchronous ?? 'FULL'}`);
    this.db.exec(SCHEMA);
    this.pollIntervalMs = options.pollIntervalMs ?? 1000;
    this.pageSize = options.pageSize ?? 512;
    this.scanWindow = BigInt(Math.max(options.scanWindow ?? this.pageSize * 16, this.pageSize));
    this.appended.setMaxListeners(0);

    // Served by the (stream_id, revision) index: one row, whatever the stream's length.
    this.lastEventStmt = this.db.prepare('SELECT revision, position FROM events WHERE stream_id = ? ORDER BY revision DESC LIMIT 1');
    this.lastEventStmt.safeIntegers(true);
    this.findEventStmt = this.db.prepare('SELECT revision, position FROM events WHERE stream_id = ? AND event_id = ?');
    this.findEventStmt.safeIntegers(true);
    this.eventAtStmt = this.db.prepare('SELECT event_id, position FROM events WHERE stream_id = ? AND revision = ?');
    this.eventAtStmt.safeIntegers(true);
    this.insertStmt = this.db.prepare('INSERT INTO events (stream_id, revision, event_id, type, data, metadata, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)');
    this.headStmt = this.db.prepare('SELECT MAX(position) AS position FROM events');
    this.headStmt.safeIntegers(true);

    // Inside the group commit's transaction, so a savepoint: a failing append is undone alone.
    const appendOne = this.db.transaction((item: PendingAppend) => this.appendInTransaction(item));
    this.groupCommit = this.db.transaction((batch: PendingAppend[]) => {
      const results: Array<AppendResult | { error: unknown }> = [];
      for (const item of batch) {
        // Outside a transaction `appendOne` would BEGIN and COMMIT on its own: an autocommit the batch cannot undo.
        if (!this.db.inTransaction) throw new Error('the group commit transaction ended early');
        try {
          results.push(appendOne(item));
        } catch (error) {
          // Disk full, I/O error, ...: SQLite may roll back the whole transaction, not just the savepoint. The
          // appends before this one are gone then, and those after it must not run: the whole batch fails.
          if (!this.db.inTransaction) throw error;
          results.push({ error: error instanceof Database.SqliteError ? unavailable(error) : error });
        }
      }
      return results;
    }).immediate;
  }

  appendToStream(streamId: string, events: readonly EventToAppend[], options: { expectedRevision?: ExpectedRevision } = {}): Promise<AppendResult> {
    if (this.closed) return Promise.reject(new EventStoreUnavailableError('event store is closed'));
    return new Promise((resolve, reject) => {
      this.queue.push({ streamId, events, expected: options.expectedRevision ?? 'any', resolve, reject });
      if (!this.flushScheduled) {
        this.flushScheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  private flush(): void {
    this.flushScheduled = false;
    const batch = this.queue;
    this.queue = [];
    if (batch.length === 0) return;
    let results: Array<AppendResult | { error: unknown }>;
    try {
      this.rollBackStrayTransaction();
      if (this.db.inTransaction) throw new Error('the connection is stuck in a transaction that cannot be rolled back');
      results = this.groupCommit(batch);
    } catch (error) {
      // BEGIN IMMEDIATE timed out (SQLITE_BUSY: another process held the write lock), the commit failed, or SQLite
      // rolled the transaction back (disk full, I/O error): nothing in the batch was written.
      this.rollBackStrayTransaction();
      const failure = unavailable(error);
      for (const item of batch) item.reject(failure);
      return;
    }
    batch.forEach((item, index) => {
      const result = results[index];
      if (result === undefined) item.reject(new Error('group commit lost a result'));
      else if ('error' in result) item.reject(result.error);
      else item.resolve(result);
    });
    this.appended.emit('appended');
  }

  /**
   * A transaction left open by a failed rollback would turn every later group commit into a savepoint that is never
   * committed, while its callers are told their events were written. Roll it back; if that fails too, `flush`
   * refuses to go on.
   */
  private rollBackStrayTransaction(): void {
    if (!this.db.inTransaction) return;
    try {
      this.db.exec('ROLLBACK');
    } catch {
      // Checked by the caller through `inTransaction`.
    }
  }

  private appendInTransaction({ streamId, events, expected }: PendingAppend): AppendResult {
    const last = this.lastEventStmt.get(streamId);
    const current: bigint | 'no_stream' = last === undefined ? 'no_stream' : last.revision;

    const first = events[0];
    if (first && current !== 'no_stream') {
      const existing = this.findEventStmt.get(streamId, first.id);
      if (existing) {
        // As EventStoreDB: with `no_stream` or an exact revision the batch is a replay only if it sits right after
        // the expected revision; anywhere else the writer's view of the stream is stale. With `any` and
        // `stream_exists` it is a replay wherever it sits.
        const replayAt = expected === 'no_stream' ? 0n : typeof expected === 'bigint' ? expected + 1n : existing.revision;
        if (existing.revision !== replayAt) throw new WrongExpectedVersionError(streamId, expected, current);
        return this.idempotentResult(streamId, events, existing.revision, expected, current);
      }
    }

    const ok =
      expected === 'any' ||
      (expected === 'no_stream' && current === 'no_stream') ||
      (expected === 'stream_exists' && current !== 'no_stream') ||
      (typeof expected === 'bigint' && current === expected);
    if (!ok) throw new WrongExpectedVersionError(streamId, expected, current);

    let revision = current === 'no_stream' ? -1n : current;
    let position = last?.position ?? 0n;
    const now = Date.now();
    for (const event of events) {
      revision += 1n;
      const info = this.insertStmt.run(streamId, revision, event.id, event.type, JSON.stringify(event.data), JSON.stringify(event.metadata), now);
      position = BigInt(info.lastInsertRowid);
    }
    return { nextExpectedRevision: revision, position };
  }

  /** The batch was appended before: answer as the first append did, or refuse if it only partly matches. */
  private idempotentResult(
    streamId: string,
    events: readonly EventToAppend[],
    firstRevision: bigint,
    expected: ExpectedRevision,
    current: bigint,
  ): AppendResult {
    let position = 0n;
    for (let index = 0; index < events.length; index += 1) {
      const stored = this.eventAtStmt.get(streamId, firstRevision + BigInt(index));
      if (!stored || stored.event_id !== events[index]?.id) {
        throw new WrongExpectedVersionError(streamId, expected, current);
      }
      position = stored.position;
    }
    return { nextExpectedRevision: firstRevision + BigInt(events.length - 1), position };
  }

  readStream(streamId: string, options: ReadStreamOptions = {}): AsyncIterable<RecordedEvent> {
    this.assertOpen();
    const forwards = (options.direction ?? 'forwards') === 'forwards';
    const maxCount = options.maxCount ?? Number.POSITIVE_INFINITY;
    const from = options.fromRevision ?? (forwards ? 'start' : 'end');
    const page = this.statement<[string, bigint, number]>(
      forwards
        ? 'SELECT * FROM events WHERE stream_id = ? AND revision >= ? ORDER BY revision ASC LIMIT ?'
        : 'SELECT * FROM events WHERE stream_id = ? AND revision <= ? ORDER BY revision DESC LIMIT ?',
    );
    const exists = () => {
      if (this.lastEventStmt.get(streamId) === undefined) throw new StreamNotFoundError(streamId);
    };
    const fetch = (cursor: bigint, limit: number) => {
      const rows = page.all(streamId, cursor, limit);
      const last = rows.at(-1);
      return { rows, next: !last || rows.length < limit ? null : forwards ? last.revision + 1n : last.revision - 1n };
    };
    return this.paginate(from, maxCount, fetch, { before: exists });
  }

  readAll(options: ReadAllOptions = {}): AsyncIterable<RecordedEvent> {
    this.assertOpen();
    const forwards = (options.direction ?? 'forwards') === 'forwards';
    const maxCount = options.maxCount ?? Number.POSITIVE_INFINITY;
    const from = options.fromPosition ?? (forwards ? 'start' : 'end');
    const filter = options.filter;
    const fetch = (cursor: bigint, limit: number) => {
      const { rows, scannedTo, done } = this.scan(cursor, forwards, filter, limit);
      return { rows, next: done ? null : forwards ? scannedTo + 1n : scannedTo - 1n };
    };
    return this.paginate(from, maxCount, fetch, {
      keep: (row) => matchesFilter({ type: row.type, streamId: row.stream_id }, filter),
    });
  }

  /**
   * Reads page after page from `from` (inclusive) until `maxCount` events were delivered or `fetch` says there is no
   * next page. A page may deliver nothing and still not be the last (a scan window in which no row matched).
   */
  private paginate(
    from: bigint | 'start' | 'end',
    maxCount: number,
    fetch: (cursor: bigint, limit: number) => { rows: EventRow[]; next: bigint | null },
    { before = () => {}, keep = () => true }: { before?: () => void; keep?: (row: EventRow) => boolean } = {},
  ): AsyncIterable<RecordedEvent> {
    const store = this;
    return {
      async *[Symbol.asyncIterator]() {
        before();
        let cursor = from === 'start' ? 0n : from === 'end' ? BigInt(Number.MAX_SAFE_INTEGER) : from;
        let remaining = maxCount;
        while (remaining > 0) {
          store.assertOpen();
          const { rows, next } = fetch(cursor, Math.min(store.pageSize, remaining));
          for (const row of rows) {
            if (!keep(row)) continue;
            yield toRecorded(row);
            remaining -= 1;
            if (remaining <= 0) return;
          }
          if (next === null) return;
          cursor = next;
          // Let other work run between pages of a long read.
          await Promise.resolve();
        }
      },
    };
  }

  /**
   * One bounded read of `$all` from `from` (inclusive): at most `limit` matching rows within `scanWindow` positions,
   * never past the head read first (every row up to it is committed: positions are assigned under the write lock,
   * in commit order), so "scanned up to" is exact even with another process appending.
   */
  private scan(from: bigint, forwards: boolean, filter: EventFilter | undefined, limit: number): Scan {
    const head = this.headStmt.get()?.position ?? 0n;
    if (forwards) {
      if (from > head) return { rows: [], scannedTo: from - 1n, done: true };
      const upper = from + this.scanWindow - 1n < head ? from + this.scanWindow - 1n : head;
      const rows = this.page(from, upper, true, filter, limit);
      const last = rows.at(-1);
      const scannedTo = rows.length === limit && last ? last.position : upper;
      this.count(scannedTo - from + 1n);
      return { rows, scannedTo, done: scannedTo >= head };
    }
    const start = from < head ? from : head;
    if (start < 1n) return { rows: [], scannedTo: 0n, done: true };
    const lower = start - this.scanWindow + 1n > 1n ? start - this.scanWindow + 1n : 1n;
    const rows = this.page(lower, start, false, filter, limit);
    const last = rows.at(-1);
    const scannedTo = rows.length === limit && last ? last.position : lower;
    this.count(start - scannedTo + 1n);
    return { rows, scannedTo, done: scannedTo <= 1n };
  }

  private count(positions: bigint): void {
    this.costs.positionsScanned += Number(positions);
    this.costs.pages += 1;
  }

  /**
   * The rows of `$all` between `lower` and `upper` (inclusive) in the direction asked, filtered in SQL: system
   * events (type starting with `$`; neither `$` nor the types' own characters are special in the pattern, only its
   * `%`) and the filter. Prefixes are compared by SQLite's own length (in characters, where JS counts UTF-16 units).
   */
  private page(lower: bigint, upper: bigint, forwards: boolean, filter: EventFilter | undefined, limit: number): EventRow[] {
    const clauses = ['position BETWEEN ? AND ?', "type NOT LIKE '$%'"];
    const params: Array<bigint | string | number> = [lower, upper];
    if (filter?.eventTypes) {
      clauses.push(filter.eventTypes.length > 0 ? `type IN (${filter.eventTypes.map(() => '?').join(',')})` : '0');
      params.push(...filter.eventTypes);
    }
    if (filter?.streamPrefixes) {
      const prefixes = filter.streamPrefixes.map(() => 'substr(stream_id, 1, length(?)) = ?');
      clauses.push(`(${prefixes.join(' OR ') || '0'})`);
      for (const prefix of filter.streamPrefixes) params.push(prefix, prefix);
    }
    params.push(limit);
    const sql = `SELECT * FROM events WHERE ${clauses.join(' AND ')} ORDER BY position ${forwards ? 'ASC' : 'DESC'} LIMIT ?`;
    return this.statement<Array<bigint | string | number>>(sql).all(...params);
  }

  /** Reads build their SQL from the filter's shape, so compiled statements are kept per SQL text. */
  private statement<P extends unknown[]>(sql: string): Database.Statement<P, EventRow> {
    let statement = this.statements.get(sql);
    if (!statement) {
      statement = this.db.prepare(sql);
      statement.safeIntegers(true);
      this.statements.set(sql, statement);
    }
    return statement as Database.Statement<P, EventRow>;
  }

  subscribeToAll(options: SubscribeToAllOptions = {}): AllSubscription {
    this.assertOpen();
    const { filter, checkpointReached } = options;
    let stopped = false;
    // Set by every append in this process (and by close): the next page may hold news, so do not sleep.
    let pending = false;
    let wake: (() => void) | undefined;
    const onAppended = () => {
      pending = true;
      wake?.();
    };
    const store = this;
    const ended = () => stopped || store.closed;

    async function* events(): AsyncGenerator<RecordedEvent> {
      if (ended()) return;
      // Listeners are registered only while the generator runs; its `finally` removes them. A generator that is
      // never started (or is returned before starting) never runs its body, so it has none to leak.
      store.appended.on('appended', onAppended);
      store.appended.on('closed', onAppended);
      try {
        // `last`: how far the subscription has read; `reported`: the last position delivered or reported as scanned.
        let last = options.afterPosition ?? 0n;
        let reported = last;
        while (!ended()) {
          // Cleared before the read: an append from now on, even while the consumer is busy with the events below,
          // is seen by the check before sleeping.
          pending = false;
          const { rows, scannedTo, done } = store.scan(last + 1n, true, filter, store.pageSize);
          for (const row of rows) {
            if (ended()) return;
            last = row.position;
            reported = last;
            if (matchesFilter({ type: row.type, streamId: row.stream_id }, filter)) yield toRecorded(row);
          }
          if (ended()) return;
          // Past the rows the filter skipped: the next read starts after them, not after the last match.
          if (scannedTo > last) last = scannedTo;
          if (checkpointReached && last > reported) {
            reported = last;
            await checkpointReached(last);
          }
          if (!done) {
            // Catching up: a macrotask between pages, so a long catch-up (every projection rebuilding at start) leaves
            // the event loop to I/O; a promise alone would keep it busy until the subscription reached the head.
            await new Promise<void>((resolve) => setImmediate(resolve));
            continue;
          }
          if (pending || ended()) continue;
          // Caught up: sleep until an append in this process, a poll tick (other processes), unsubscribe, or close.
          await new Promise<void>((resolve) => {
            const timer = setTimeout(done, store.pollIntervalMs);
            function done() {
              clearTimeout(timer);
              wake = undefined;
              resolve();
            }
            wake = done;
          });
        }
      } finally {
        wake = undefined;
        store.appended.off('appended', onAppended);
        store.appended.off('closed', onAppended);
      }
    }

    let iterator: AsyncGenerator<RecordedEvent> | undefined;
    const iteration = (): AsyncGenerator<RecordedEvent> => {
      iterator ??= events();
      return iterator;
    };
    return {
      [Symbol.asyncIterator]: iteration,
      async unsubscribe() {
        stopped = true;
        wake?.();
        // Ends a sleeping or suspended generator; one never started is completed without running.
        await iteration().return(undefined);
      },
    };
  }

  /** Listeners the subscriptions hold on this store's append notifications (for tests: none after unsubscribe). */
  get listenerCount(): number {
    return this.appended.listenerCount('appended') + this.appended.listenerCount('closed');
  }

  /** What this store's `$all` reads have cost so far (for tests and benchmarks that must not measure time). */
  readCosts(): SqliteReadCosts {
    return { ...this.costs };
  }

  async headPosition(): Promise<bigint> {
    this.assertOpen();
    return this.headStmt.get()?.position ?? 0n;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    if (this.queue.length > 0) this.flush();
    this.closed = true;
    this.appended.emit('closed');
    this.db.close();
  }

  private assertOpen(): void {
    if (this.closed) throw new EventStoreUnavailableError('event store is closed');
  }
}

function toRecorded(row: EventRow): RecordedEvent {
  return {
    id: row.event_id,
    type: row.type,
    streamId: row.stream_id,
    revision: row.revision,
    position: row.position,
    data: JSON.parse(row.data) as JsonObject,
    metadata: JSON.parse(row.metadata) as JsonObject,
    created: new Date(Number(row.created_at)),
  };
}

/** SQLITE_BUSY (another process holds the lock past the busy timeout), SQLITE_FULL, I/O errors, ... */
function unavailable(error: unknown): EventStoreUnavailableError {
  if (error instanceof EventStoreUnavailableError) return error;
  const code = error instanceof Database.SqliteError ? ` (${error.code})` : '';
  const reason = error instanceof Error ? error.message : String(error);
  return new EventStoreUnavailableError(`the event store could not write the append${code}: ${reason}`, { cause: error });
}
