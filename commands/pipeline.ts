import { setTimeout as sleep } from 'node:timers/promises';
import { appError, isAppError, type AppError } from '../domain/shared/app-error.ts';
import type { DecisionContext, DomainEvent } from '../domain/shared/decider.ts';
import type { Principal } from '../domain/shared/principal.ts';
import type { EventRegistry } from '../domain/events/registry.ts';
import { reservationStream } from '../domain/reservation/events.ts';
import { EventStoreUnavailableError, WrongExpectedVersionError } from '../infra/eventstore/errors.ts';
import type { EventStore, EventToAppend, JsonObject, RecordedEvent } from '../infra/eventstore/port.ts';
import type { AggregateDefinition, UniqueReservation } from './aggregate.ts';
import { commandHash, deterministicEventId, type EventMetadata } from './metadata.ts';
import type { PreAppendCheck } from './pre-append-check.ts';
import type { CommandResult } from './result.ts';
import type { LoadedStream, StreamLoader } from './stream-loader.ts';
import { StreamLocks } from './stream-locks.ts';

export interface CommandEnvelope {
  commandId: string;
  principal: Principal;
  /** Defaults to the command id: a command from outside starts its own correlation. */
  correlationId?: string;
  /** Defaults to the command id; a saga passes the id of the event that caused the command. */
  causationId?: string;
  /** The client's optimistic-concurrency precondition; when set, a conflict is reported instead of retried. */
  expectedRevision?: bigint;
}

export interface PipelineOptions {
  store: EventStore;
  loader: StreamLoader;
  registry: EventRegistry;
  check: PreAppendCheck;
  clock?: () => Date;
  maxAttempts?: number;
}

/**
 * Runs every command the same way: validate, load, authorize, decide, append with the expected revision, retry on
 * conflict. A command id names one execution: repeating it answers with the first result and appends nothing.
 */
export class CommandPipeline {
  private readonly clock: () => Date;
  private readonly maxAttempts: number;
  private readonly locks = new StreamLocks();
  private inFlight = 0;
  private draining: (() => void) | undefined;
  private closed = false;

  constructor(private readonly options: PipelineOptions) {
    this.clock = options.clock ?? (() => new Date());
    this.maxAttempts = options.maxAttempts ?? 5;
  }

  async execute<Command extends { type: string; data: unknown }, State, Event extends DomainEvent, Context extends DecisionContext>(
    definition: AggregateDefinition<Command, State, Event, Context>,
    input: unknown,
    envelope: CommandEnvelope,
  ): Promise<CommandResult | AppError> {
    if (this.closed) return appError('unavailable', 'SHUTTING_DOWN', 'the server is shutting down; retry elsewhere');
    const parsed = definition.commandSchema.safeParse(input);
    if (!parsed.success) {
      return appError('invalid', 'VALIDATION_FAILED', 'the command is invalid', {
        // Paths name the client's fields: a command's payload is its `data`.
        issues: parsed.error.issues.map((issue) => ({
          path: (issue.path[0] === 'data' ? issue.path.slice(1) : issue.path).map(String),
          message: issue.message,
        })),
      });
    }
    this.inFlight += 1;
    try {
      const command = parsed.data;
      return await this.locks.run(definition.streamOf(command), () => this.run(definition, command, envelope));
    } catch (error) {
      if (error instanceof EventStoreUnavailableError) {
        return appError('unavailable', 'EVENT_STORE_UNAVAILABLE', 'the event store is unavailable; retry later');
      }
      throw error;
    } finally {
      this.inFlight -= 1;
      if (this.inFlight === 0) this.draining?.();
    }
  }

  /** Refuses new commands and resolves when the ones in flight have finished. */
  async drain(): Promise<void> {
    this.closed = true;
    if (this.inFlight === 0) return;
    await new Promise<void>((resolve) => {
      this.draining = resolve;
    });
  }

  private async run<Command extends { type: string; data: unknown }, State, Event extends DomainEvent, Context extends DecisionContext>(
    definition: AggregateDefinition<Command, State, Event, Context>,
    command: Command,
    envelope: CommandEnvelope,
  ): Promise<CommandResult | AppError> {
    const { loader, registry, store } = this.options;
    const streamId = definition.streamOf(command);
    const hash = commandHash(command);

    for (let attempt = 1; ; attempt += 1) {
      const loaded = await loader.load(definition.decider, streamId);
      const earlier = loaded.commands.get(envelope.commandId);
      if (earlier) {
        if (earlier.commandHash !== hash) {
          return appError('unprocessable', 'IDEMPOTENCY_KEY_REUSED', 'this command id was already used for a different command', {
            commandId: envelope.commandId,
          });
        }
        return { commandId: envelope.commandId, streamId, streamRevision: earlier.streamRevision, position: earlier.position, events: earlier.events, replayed: true };
      }
      if (envelope.expectedRevision !== undefined && envelope.expectedRevision !== loaded.revision) {
        return staleRevision(streamId, envelope.expectedRevision, loaded.revision);
      }

      const base: DecisionContext = { now: this.clock().toISOString(), principal: envelope.principal, commandId: envelope.commandId };
      const context = await definition.loadContext(command, loader, base);
      const orgId = definition.orgIdOf(command);
      const check = await this.options.check({
        action: definition.actionOf(command),
        orgId,
        principal: envelope.principal,
        command,
        streamId,
        streamRevision: loaded.revision,
        state: loaded.state,
      });
      if (!check.allowed) return check.error;

      const decided = definition.decider.decide(command, loaded.state, context);
      if (isAppError(decided)) return decided;
      if (decided.length === 0) {
        return { commandId: envelope.commandId, streamId, streamRevision: loaded.revision, position: null, events: [], replayed: false };
      }

      const reserved = await this.reserve(definition.reservations?.(command) ?? [], streamId, envelope, orgId, hash, base.now);
      if (reserved) return reserved;

      const toAppend = [...decided, ...(check.events ?? [])].map((event, index) =>
        this.envelop(event, index, streamId, command.type, hash, envelope, orgId, base.now, check.decisionId ?? null),
      );
      try {
        const result = await store.appendToStream(streamId, toAppend, {
          expectedRevision: loaded.revision === -1n ? 'no_stream' : loaded.revision,
        });
        const firstRevision = result.nextExpectedRevision - BigInt(toAppend.length - 1);
        const recorded: RecordedEvent[] = toAppend.map((event, index) => ({
          ...event,
          streamId,
          revision: firstRevision + BigInt(index),
          position: result.position,
          created: new Date(base.now),
        }));
        const after = loader.remember(definition.decider, loaded, recorded);
        const record = after.commands.get(envelope.commandId);
        return {
          commandId: envelope.commandId,
          streamId,
          streamRevision: result.nextExpectedRevision,
          position: result.position,
          events: record?.events ?? [],
          replayed: false,
        };
      } catch (error) {
        if (!(error instanceof WrongExpectedVersionError)) throw error;
        loader.forget(streamId);
        if (envelope.expectedRevision !== undefined) {
          // Someone else appended between our load and our append: the client's precondition no longer holds,
          // unless the winner was this very command (a concurrent retry), which the next load will show.
          const reloaded = await loader.load(definition.decider, streamId);
          if (!reloaded.commands.has(envelope.commandId)) return staleRevision(streamId, envelope.expectedRevision, reloaded.revision);
          continue;
        }
        if (attempt >= this.maxAttempts) {
          return appError('conflict', 'CONCURRENCY_CONFLICT', `stream ${streamId} kept changing; the command was not applied`, {
            streamId,
            attempts: attempt,
          });
        }
        // Another process won the race; back off (jittered, growing) before deciding again on its result.
        await sleep(Math.random() * 5 * 2 ** attempt);
      }
    }
  }

  /** Claims every unique key for this command. A key held by another command is a conflict. */
  private async reserve(
    reservations: readonly UniqueReservation[],
    ownerStreamId: string,
    envelope: CommandEnvelope,
    orgId: string | null,
    hash: string,
    now: string,
  ): Promise<AppError | undefined> {
    for (const reservation of reservations) {
      const streamId = reservationStream(reservation.scope, reservation.key);
      const event = this.envelop(
        { type: 'UniqueKeyReserved', data: { scope: reservation.scope, key: reservation.key, ownerStreamId } },
        0,
        streamId,
        'ReserveUniqueKey',
        hash,
        envelope,
        orgId,
        now,
        null,
      );
      try {
        // Same command, same event id: a retry finds its own reservation and the store answers idempotently.
        await this.options.store.appendToStream(streamId, [event], { expectedRevision: 'no_stream' });
      } catch (error) {
        if (!(error instanceof WrongExpectedVersionError)) throw error;
        return appError('conflict', reservation.conflictCode, reservation.conflictMessage, {
          scope: reservation.scope,
          key: reservation.key,
        });
      }
    }
    return undefined;
  }

  private envelop(
    event: DomainEvent,
    index: number,
    streamId: string,
    commandType: string,
    hash: string,
    envelope: CommandEnvelope,
    orgId: string | null,
    occurredAt: string,
    decisionId: string | null,
  ): EventToAppend {
    const encoded = this.options.registry.encode(event.type, event.data);
    const eventId = deterministicEventId(envelope.commandId, streamId, index);
    const metadata: EventMetadata = {
      eventId,
      commandId: envelope.commandId,
      commandType,
      commandHash: hash,
      correlationId: envelope.correlationId ?? envelope.commandId,
      causationId: envelope.causationId ?? envelope.commandId,
      principal: envelope.principal,
      orgId,
      occurredAt,
      schemaVersion: encoded.schemaVersion,
      decisionId,
    };
    // Encoded data passed its zod schema, whose shapes are JSON by construction.
    return { id: eventId, type: event.type, data: encoded.data as JsonObject, metadata: metadata as unknown as JsonObject };
  }
}

function staleRevision(streamId: string, expected: bigint, actual: bigint): AppError {
  return appError('precondition_failed', 'REVISION_MISMATCH', `stream ${streamId} is at revision ${actual}, not ${expected}`, {
    streamId,
    expectedRevision: expected.toString(),
    actualRevision: actual.toString(),
  });
}

export type { LoadedStream };
