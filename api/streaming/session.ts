import type { FastifyBaseLogger } from 'fastify';
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { AllSubscription, EventFilter, EventStore, RecordedEvent } from '../../infra/eventstore/port.ts';
import { eventCategory, eventOrgId, publicEvent } from '../../processes/public-event.ts';
import { readActionFor, type StreamAccess } from './access.ts';
import type { EventStreamFilters } from './query.ts';
import { SSE_HEADERS, closedBecause, sseComment, sseMessage, type SseWriter } from './sse.ts';

export interface EventStreamTiming {
  /** A `: keep-alive` comment this often when nothing else is sent. Default 15 000 ms. */
  heartbeatMs?: number;
  /** What EventSource clients wait before reconnecting (the SSE `retry` field). Default 2000 ms. */
  retryMs?: number;
}

/**
 * A catch-up over a long log is read synchronously page by page (SQLite) and events left out never wait on the
 * socket: without a pause now and then, one stream would hold the event loop (every other request, and its own
 * keep-alives) for as long as it scans. It gives way after this long.
 */
const SLICE_MS = 5;

/** The log's filter for what the query narrows on stream ids and types; the exact category is checked per event. */
function storeFilter(filters: EventStreamFilters): EventFilter | undefined {
  if (!filters.types && !filters.categories) return undefined;
  return {
    ...(filters.types ? { eventTypes: [...filters.types] } : {}),
    // `roster` matches `roster-...` (and, as a prefix, `rosterx-...`, which the exact check below drops).
    ...(filters.categories ? { streamPrefixes: [...filters.categories] } : {}),
  };
}

/**
 * One client's stream: catch-up then live from `filters.after` (exclusive), in log order, each event the filters
 * select and the principal may read, as one SSE message whose id is its global position. Resuming after the last id
 * the client saw delivers every later event exactly once.
 */
export class EventStreamSession {
  private ending: string | undefined;
  private subscription: AllSubscription | undefined;
  private heartbeat: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  /** Last position written as an id (a message's, or a keep-alive's progress id). */
  private lastId: bigint | undefined;
  /** Last position completely handled: sent, or left out. */
  private scanned: bigint | undefined;
  private sent = 0;
  private readonly opened = performance.now();

  constructor(
    private readonly store: EventStore,
    private readonly access: StreamAccess,
    private readonly writer: SseWriter,
    private readonly filters: EventStreamFilters,
    private readonly log: FastifyBaseLogger,
    private readonly timing: EventStreamTiming = {},
  ) {
    this.lastId = filters.after;
  }

  run(): Promise<void> {
    this.running ??= this.follow();
    return this.running;
  }

  private async follow(): Promise<void> {
    this.writer.start(200, { ...SSE_HEADERS }, `: agencygrid event stream\nretry: ${this.timing.retryMs ?? 2000}\n\n`);
    void this.writer.whenClosed.then(() => this.close('client disconnected'));
    if (this.ending) {
      await this.writer.end();
      return;
    }
    const filter = storeFilter(this.filters);
    const subscription = this.store.subscribeToAll({
      ...(this.filters.after === undefined ? {} : { afterPosition: this.filters.after }),
      ...(filter ? { filter } : {}),
    });
    this.subscription = subscription;
    this.heartbeat = setInterval(() => void this.beat(), this.timing.heartbeatMs ?? 15_000);
    let sliceStarted = performance.now();
    try {
      for await (const event of subscription) {
        if (performance.now() - sliceStarted > SLICE_MS) {
          await nextTurn();
          sliceStarted = performance.now();
        }
        if (this.ending) break;
        if (this.selected(event) && (await this.access.allows(eventOrgId(event), readActionFor(event)))) {
          const refused = await this.access.credentialRefusal();
          if (refused) {
            this.ending ??= 'credential no longer valid';
            this.writer.sendIfIdle(sseComment(closedBecause(refused)));
            break;
          }
          const written = await this.writer.send(sseMessage({ id: event.position.toString(), event: event.type, data: publicEvent(event) }));
          if (!written) break;
          this.lastId = event.position;
          this.sent += 1;
        }
        this.scanned = event.position;
      }
    } catch (error) {
      // The store closed or the subscription dropped: the client reconnects with its Last-Event-ID.
      if (!this.ending) this.log.warn({ err: error }, 'event stream: the subscription to the log failed; ending the stream');
    } finally {
      clearInterval(this.heartbeat);
      await subscription.unsubscribe().catch(() => undefined);
      await this.writer.end();
      // A hijacked response gets no 'request completed' line from Fastify: this is it.
      const durationMs = Math.round(performance.now() - this.opened);
      this.log.info({ sent: this.sent, durationMs, reason: this.ending ?? 'subscription ended' }, 'event stream closed');
    }
  }

  /** The query's filters (types and categories are also pushed down to the store). */
  private selected(event: RecordedEvent): boolean {
    const { orgIds, categories, types } = this.filters;
    if (types && !types.has(event.type)) return false;
    if (categories && !categories.has(eventCategory(event))) return false;
    if (orgIds) {
      const orgId = eventOrgId(event);
      if (orgId === null || !orgIds.has(orgId)) return false;
    }
    return true;
  }

  /** Keep-alive; it also carries the last scanned position as the id when events were left out since the last id. */
  private async beat(): Promise<void> {
    if (this.ending) return;
    if (!this.writer.open) {
      await this.close('client disconnected');
      return;
    }
    try {
      const refused = await this.access.credentialRefusal();
      if (refused) {
        this.writer.sendIfIdle(sseComment(closedBecause(refused)));
        await this.close('credential no longer valid');
        return;
      }
    } catch {
      return; // the store is unavailable: try again at the next beat
    }
    const progress = this.scanned !== undefined && (this.lastId === undefined || this.scanned > this.lastId) ? this.scanned : undefined;
    if (this.writer.sendIfIdle(sseComment('keep-alive', progress?.toString())) && progress !== undefined) this.lastId = progress;
  }

  /** Ends the stream: stops reading the log, ends the response, and resolves once everything is released. */
  async close(reason: string): Promise<void> {
    this.ending ??= reason;
    clearInterval(this.heartbeat);
    await this.subscription?.unsubscribe().catch(() => undefined);
    await this.writer.end();
    await this.running;
  }
}
