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
  type JsonObject,
  type ReadAllOptions,
  type ReadStreamOptions,
  type RecordedEvent,
  type SubscribeToAllOptions,
} from './port.ts';

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
  pageSize?: number;
}

interface EventRow {
  position: bigint;
  stream_id: string;
  revision: bigint;
  event_id: string;
  type: string;
  data: string;
  metadata: string;
  created_at: bigint;
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
 */
export class SqliteEventStore implements EventStore {
  private readonly db: Database.Database;
  private readonly appended = new EventEmitter();
  private readonly pollIntervalMs: number;
  private readonly pageSize: number;
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
    this.db = new Database(options.path);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma(`synchronous = ${options.synchronous ?? 'FULL'}`);
    this.db.pragma('busy_timeout = 5000');
    this.db.exec(SCHEMA);
    this.pollIntervalMs = options.pollIntervalMs ?? 1000;
    this.pageSize = options.pageSize ?? 512;
    this.appended.setMaxListeners(0);

    // Served by the (stream_id, revision) index: one row, whatever the stream's length.
    this.lastEventStmt = this.db.prepare('SELECT revision, position FROM events WHERE stream_id = ? ORDER BY revision DESC LIMIT 1');
    this.lastEventStmt.safeIntegers(true);
    this.findEventStmt = this.db.prepare('SELECT revision, position FROM events WHERE stream_id = ? AND event_id = ?');
    this.findEventStmt.safeIntegers(true);
    this.eventAtStmt = this.db.prepare('SELECT event_id, position FROM events WHERE stream_id = ? AND revision = ?');
    this.eventAtStmt.safeIntegers(true);
    this.insertStmt = this.db.prepare(
      'INSERT INTO events (stream_id, revision, event_id, type, data, metadata, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
    );
    this.headStmt = this.db.prepare('SELECT MAX(position) AS position FROM events');
    this.headStmt.safeIntegers(true);

    const appendOne = this.db.transaction((item: PendingAppend) => this.appendInTransaction(item));
    this.groupCommit = this.db.transaction((batch: PendingAppend[]) =>
      batch.map((item) => {
        try {
          return appendOne(item);
        } catch (error) {
          return { error };
        }
      }),
    );
  }

  appendToStream(
    streamId: string,
    events: readonly EventToAppend[],
    options: { expectedRevision?: ExpectedRevision } = {},
  ): Promise<AppendResult> {
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
      results = this.groupCommit(batch);
    } catch (error) {
      // The commit itself failed (disk full, I/O error): nothing in the batch was written.
      const failure = new EventStoreUnavailableError('append failed', { cause: error });
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

  private appendInTransaction({ streamId, events, expected }: PendingAppend): AppendResult {
    const last = this.lastEventStmt.get(streamId);
    const current: bigint | 'no_stream' = last === undefined ? 'no_stream' : last.revision;

    const first = events[0];
    if (first && current !== 'no_stream') {
      const existing = this.findEventStmt.get(streamId, first.id);
      if (existing) return this.idempotentResult(streamId, events, existing.revision, expected, current);
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
      const info = this.insertStmt.run(
        streamId,
        revision,
        event.id,
        event.type,
        JSON.stringify(event.data),
        JSON.stringify(event.metadata),
        now,
      );
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
    return this.paginate(from, forwards, maxCount, (cursor, limit) => page.all(streamId, cursor, limit), (row) => row.revision, exists);
  }

  readAll(options: ReadAllOptions = {}): AsyncIterable<RecordedEvent> {
    this.assertOpen();
    const forwards = (options.direction ?? 'forwards') === 'forwards';
    const maxCount = options.maxCount ?? Number.POSITIVE_INFINITY;
    const from = options.fromPosition ?? (forwards ? 'start' : 'end');
    return this.paginate(from, forwards, maxCount, (cursor, limit) => this.page(cursor, forwards, true, options.filter, limit), (row) => row.position);
  }

  /** Reads page after page from `from` (inclusive), keyed by revision or position, until `maxCount` or the end. */
  private paginate(
    from: bigint | 'start' | 'end',
    forwards: boolean,
    maxCount: number,
    fetch: (cursor: bigint, limit: number) => EventRow[],
    keyOf: (row: EventRow) => bigint,
    before: () => void = () => {},
  ): AsyncIterable<RecordedEvent> {
    const store = this;
    return {
      async *[Symbol.asyncIterator]() {
        before();
        let cursor = from === 'start' ? 0n : from === 'end' ? BigInt(Number.MAX_SAFE_INTEGER) : from;
        let remaining = maxCount;
        while (remaining > 0) {
          store.assertOpen();
          const rows = fetch(cursor, Math.min(store.pageSize, remaining));
          for (const row of rows) yield toRecorded(row);
          remaining -= rows.length;
          const lastRow = rows.at(-1);
          if (!lastRow || rows.length < store.pageSize) return;
          cursor = forwards ? keyOf(lastRow) + 1n : keyOf(lastRow) - 1n;
          // Let other work run between pages of a long read.
          await Promise.resolve();
        }
      },
    };
  }

  /** One page of `$all` starting at `cursor` (inclusive or not), filtered in SQL. */
  private page(cursor: bigint, forwards: boolean, inclusive: boolean, filter: EventFilter | undefined, limit: number) {
    const clauses = [forwards ? (inclusive ? 'position >= ?' : 'position > ?') : inclusive ? 'position <= ?' : 'position < ?'];
    const params: Array<bigint | string | number> = [cursor];
    if (filter?.eventTypes) {
      clauses.push(`type IN (${filter.eventTypes.map(() => '?').join(',') || "''"})`);
      params.push(...filter.eventTypes);
    }
    if (filter?.streamPrefixes) {
      const prefixes = filter.streamPrefixes.map(() => 'substr(stream_id, 1, ?) = ?');
      clauses.push(`(${prefixes.join(' OR ') || '0'})`);
      for (const prefix of filter.streamPrefixes) params.push(prefix.length, prefix);
    }
    params.push(limit);
    const sql = `SELECT * FROM events WHERE ${clauses.join(' AND ')} ORDER BY position ${forwards ? 'ASC' : 'DESC'} LIMIT ?`;
    return this.statement<Array<bigint | string | number>>(sql).all(...params).filter((row) => matchesFilter({ type: row.type, streamId: row.stream_id }, filter));
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
    let stopped = false;
    let wake: (() => void) | undefined;
    const onAppended = () => wake?.();
    this.appended.on('appended', onAppended);
    this.appended.on('closed', onAppended);
    const store = this;

    async function* events(): AsyncGenerator<RecordedEvent> {
      let last = options.afterPosition ?? 0n;
      try {
        while (!stopped && !store.closed) {
          const rows = store.page(last, true, false, options.filter, store.pageSize);
          for (const row of rows) {
            if (stopped) return;
            last = row.position;
            yield toRecorded(row);
          }
          if (rows.length === store.pageSize) continue;
          // Caught up: sleep until an append in this process, a poll tick (other processes), or unsubscribe.
          await new Promise<void>((resolve) => {
            const timer = setTimeout(resolve, store.pollIntervalMs);
            wake = () => {
              clearTimeout(timer);
              resolve();
            };
          });
          wake = undefined;
        }
      } finally {
        store.appended.off('appended', onAppended);
        store.appended.off('closed', onAppended);
      }
    }

    const iterator = events();
    return {
      [Symbol.asyncIterator]: () => iterator,
      async unsubscribe() {
        stopped = true;
        wake?.();
        await iterator.return(undefined);
      },
    };
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
