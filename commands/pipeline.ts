import { setTimeout as sleep } from 'node:timers/promises';
import { appError, isAppError, withAudience, type AppError } from '../domain/shared/app-error.ts';
import type { DecisionContext, DomainEvent } from '../domain/shared/decider.ts';
import type { Principal } from '../domain/shared/principal.ts';
import type { PlatformEventRegistry } from '../domain/events/catalog.ts';
import { WrongExpectedVersionError } from '../infra/eventstore/errors.ts';
import { unavailableErrorFor } from './unavailable-error.ts';
import type { EventStore, RecordedEvent } from '../infra/eventstore/port.ts';
import type { AggregateDefinition } from './aggregate.ts';
import { AttemptReader } from './attempt-reader.ts';
import { DEFAULT_INPUT_LIMITS, refuseInput, type InputLimits } from './input-limits.ts';
import { CommandLog } from './command-log.ts';
import { envelopEvent, type CommandStamp } from './event-envelope.ts';
import { commandHash } from './metadata.ts';
import type { AsideRecord, PreAppendCheck, StructureRefusal } from './pre-append-check.ts';
import type { CommandResult } from './result.ts';
import type { StreamLoader } from './stream-loader.ts';
import { StreamLocks } from './stream-locks.ts';
import { UniqueKeys } from './unique-keys.ts';
import { fieldIssue, issuesSummary } from '../domain/shared/field-issues.ts';

export interface CommandEnvelope {
  commandId: string;
  principal: Principal;
  /** Defaults to the command id: a command from outside starts its own correlation. */
  correlationId?: string;
  /** Defaults to the command id; a saga passes the id of the event that caused the command. */
  causationId?: string;
  /** The client's optimistic-concurrency precondition; when set, a conflict is reported instead of retried. */
  expectedRevision?: bigint;
  /**
   * The caller chose the command id and may send it again (an Idempotency-Key, a saga's step id): its completion is
   * recorded durably, so a retry answers the same even if the command decided nothing.
   */
  retryable?: boolean;
}

export interface PipelineOptions {
  store: EventStore;
  loader: StreamLoader;
  registry: PlatformEventRegistry;
  check: PreAppendCheck;
  clock?: () => Date;
  maxAttempts?: number;
  /** How long a unique-key claim stays with a command that never completed before another may take it over. */
  reservationLeaseMs?: number;
  /** What any command may carry (strings, nesting, size), checked before its schema; see input-limits.ts. */
  inputLimits?: InputLimits;
}

/**
 * Runs every command the same way: validate, load, authorize, decide, append with the expected revision, retry on
 * conflict. A command id names one execution: repeating it answers with the first result and appends nothing.
 */
export class CommandPipeline {
  private readonly clock: () => Date;
  private readonly maxAttempts: number;
  private readonly locks = new StreamLocks();
  private readonly commandLog: CommandLog;
  private readonly uniqueKeys: UniqueKeys;
  readonly inputLimits: InputLimits;
  private inFlight = 0;
  private draining: (() => void) | undefined;
  private closed = false;

  constructor(private readonly options: PipelineOptions) {
    this.clock = options.clock ?? (() => new Date());
    this.maxAttempts = options.maxAttempts ?? 8;
    this.commandLog = new CommandLog(options.store, options.registry);
    this.uniqueKeys = new UniqueKeys(options.store, options.registry, options.reservationLeaseMs ?? 30_000);
    this.inputLimits = options.inputLimits ?? DEFAULT_INPUT_LIMITS;
  }

  /**
   * Why a request's payload cannot become a command, whatever its schema (a lone surrogate, U+0000, nesting or size
   * past the limits), or null. For callers that validate a payload before building the command (the agents' gateway).
   */
  refuseInput(payload: unknown): AppError | null {
    return refuseInput(payload, this.inputLimits);
  }

  async execute<Command extends { type: string; data: unknown }, State, Event extends DomainEvent, Context extends DecisionContext>(
    definition: AggregateDefinition<Command, State, Event, Context>,
    input: unknown,
    envelope: CommandEnvelope,
  ): Promise<CommandResult | AppError> {
    if (this.closed) return appError('unavailable', 'SHUTTING_DOWN', 'the server is shutting down; retry elsewhere');
    // Before the schema: every command, whatever its fields, carries only what every read model can store. Its
    // payload is `data` (the client's fields, so the limits and paths are the body's); `type` is the schema's.
    const malformed = refuseInput(payloadOf(input), this.inputLimits);
    if (malformed) return malformed;
    const parsed = definition.commandSchema.safeParse(input);
    if (!parsed.success) {
      // Paths name the client's fields: a command's payload is its `data`.
      const issues = parsed.error.issues.map((issue) => fieldIssue(issue, issue.path[0] === 'data' ? issue.path.slice(1) : issue.path));
      return appError('invalid', 'VALIDATION_FAILED', issuesSummary('the command is invalid', issues), { issues });
    }
    this.inFlight += 1;
    try {
      const command = parsed.data;
      const decide = () => this.locks.run(definition.streamOf(command), () => this.run(definition, command, envelope));
      // The extra key first, then the stream, always in that order: two commands never wait for each other in a cycle.
      const key = definition.serializeOn?.(command) ?? null;
      return await (key === null ? decide() : this.locks.run(`serialize:${key}`, decide));
    } catch (error) {
      // An outage of any dependency (the store, a read model the context reads) is a 503 to retry, not a 500.
      const unavailable = unavailableErrorFor(error);
      if (unavailable) return unavailable;
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
    const { commandId } = envelope;
    const replay = (streamRevision: bigint, position: bigint | null, events: CommandResult['events']): CommandResult => ({
      commandId,
      streamId,
      streamRevision,
      position,
      events,
      replayed: true,
    });
    const orgId = definition.orgIdOf(command);
    const stampAt = (occurredAt: string, decisionId: string | null = null): CommandStamp => ({
      commandId,
      commandType: command.type,
      commandHash: hash,
      correlationId: envelope.correlationId ?? commandId,
      causationId: envelope.causationId ?? commandId,
      principal: envelope.principal,
      orgId,
      occurredAt,
      decisionId,
    });
    const complete = async (streamRevision: bigint, noop: boolean, stamp: CommandStamp) => {
      if (!envelope.retryable) return;
      await this.commandLog.record({ commandType: command.type, commandHash: hash, streamId, streamRevision: streamRevision.toString(), noop }, stamp);
    };
    const reused = () =>
      appError(
        'unprocessable',
        'IDEMPOTENCY_KEY_REUSED',
        'this command id (Idempotency-Key) was already used for a different command: send a new key for a new command; a key only repeats the command it was first sent with',
        { commandId },
      );

    const completed = envelope.retryable ? await this.commandLog.find(commandId) : undefined;
    if (completed && (completed.commandHash !== hash || completed.streamId !== streamId)) return reused();
    if (completed?.noop) return replay(BigInt(completed.streamRevision), null, []);

    for (let attempt = 1; ; attempt += 1) {
      const loaded = await loader.load(definition.decider, streamId);
      const earlier = loaded.commands.get(commandId);
      if (earlier) {
        if (earlier.commandHash !== hash) return reused();
        // Appended before a crash that came before its completion record: write the record now.
        if (!completed) await complete(earlier.streamRevision, false, stampAt(this.clock().toISOString()));
        return replay(earlier.streamRevision, earlier.position, earlier.events);
      }

      const base: DecisionContext = { now: this.clock().toISOString(), principal: envelope.principal, commandId };
      const reader = new AttemptReader(loader);
      reader.seed(streamId, loaded);
      const context = await definition.loadContext(command, reader, base);
      const check = await this.options.check({
        commandId,
        now: base.now,
        resource: resourceOf(definition.name, streamId, command),
        action: definition.actionOf(command),
        alsoAuthorize: definition.alsoAuthorize?.(command) ?? [],
        orgId,
        principal: envelope.principal,
        command,
        streamId,
        streamRevision: loaded.revision,
        state: loaded.state,
        reader,
      });
      const recordAside = async (records: readonly AsideRecord[]) => {
        for (const { streamId: aside, events, decisionId } of records) {
          const stamp = stampAt(base.now, decisionId);
          // Ids seeded by the decision: a retry recording the same decision is idempotent, a different one is kept.
          await store.appendToStream(aside, events.map((event, index) => envelopEvent(registry, event, aside, index, stamp, `${commandId}/${decisionId}`)));
        }
      };
      if (!check.allowed) {
        await recordAside(check.records ?? []);
        return check.error;
      }
      // Only after the policy: the stream's state (its revision, a fence) is the org's to tell, shaped like any
      // refusal for a caller the policy let act but who may not see the org.
      if (loaded.fenced) {
        return withAudience(appError('conflict', 'STREAM_FENCED', `stream ${streamId} was closed after a crashed command; nothing more can happen in it`, { streamId }), check.audience);
      }
      if (envelope.expectedRevision !== undefined && envelope.expectedRevision !== loaded.revision) {
        return withAudience(staleRevision(streamId, envelope.expectedRevision, loaded.revision), check.audience);
      }
      const refusedByStructure = (error: AppError) => {
        const refusal = structureRefusal(error);
        return refusal === null ? [] : (check.refusedByStructure?.(refusal) ?? []);
      };

      const decided = definition.decider.decide(command, loaded.state, context);
      if (isAppError(decided)) {
        // The policy said yes and the org's structure said no (a conflict, a forbidden self-grant, a missing
        // capability): that permit and the refusal are part of the story and are recorded. Malformed or dangling
        // input ('invalid', 'not_found') records nothing, like input refused before the policy.
        const records = refusedByStructure(decided);
        if (records.length > 0) {
          // Final only if decided on the stream as it still is: a refusal of stale state (another process appended
          // since our load) is decided again, like an append that lost the race, and may then succeed.
          const current = await loader.load(definition.decider, streamId);
          if (current.revision !== loaded.revision) {
            if (attempt >= this.maxAttempts) return keptChanging(streamId, attempt);
            continue;
          }
          await recordAside(records);
        }
        return withAudience(decided, check.audience);
      }
      const stamp = stampAt(base.now, check.decisionId ?? null);
      if (decided.length === 0) {
        // Nothing happened, so there is nothing for the decision to explain.
        await complete(loaded.revision, true, stamp);
        return { commandId, streamId, streamRevision: loaded.revision, position: null, events: [], replayed: false };
      }

      const claimed = await this.uniqueKeys.claim(definition.reservations?.(command) ?? [], streamId, stamp);
      if (claimed) {
        // The key is held by another command's stream, which this one never loaded: the claim itself is the check.
        await recordAside(refusedByStructure(claimed));
        return withAudience(claimed, check.audience);
      }

      // Ids seeded by the command id and its content: a retry of the same command appends idempotently, while a
      // different command under the same id (an Idempotency-Key reused concurrently) conflicts instead of being
      // taken by the store for a retry of the one it holds.
      const idSeed = `${commandId}/${hash}`;
      const toAppend = [...(check.events ?? []), ...decided].map((event, index) => envelopEvent(registry, event, streamId, index, stamp, idSeed));
      try {
        const result = await store.appendToStream(streamId, toAppend, {
          expectedRevision: loaded.revision === -1n ? 'no_stream' : loaded.revision,
        });
        const firstRevision = result.nextExpectedRevision - BigInt(toAppend.length - 1);
        if (firstRevision !== loaded.revision + 1n) {
          // The store answered idempotently for an append made elsewhere (a concurrent copy of this command):
          // our `loaded` state is stale, so reload and answer from the log.
          loader.forget(streamId);
          continue;
        }
        const recorded: RecordedEvent[] = toAppend.map((event, index) => ({
          ...event,
          streamId,
          revision: firstRevision + BigInt(index),
          position: result.position,
          created: new Date(base.now),
        }));
        const after = loader.remember(definition.decider, loaded, recorded);
        await complete(result.nextExpectedRevision, false, stamp);
        return {
          commandId,
          streamId,
          streamRevision: result.nextExpectedRevision,
          position: result.position,
          events: after.commands.get(commandId)?.events ?? [],
          replayed: false,
        };
      } catch (error) {
        if (!(error instanceof WrongExpectedVersionError)) throw error;
        loader.forget(streamId);
        if (envelope.expectedRevision !== undefined) {
          // Someone else appended between our load and our append: the client's precondition no longer holds,
          // unless the winner was this very command (a concurrent retry), which the next load will show.
          const reloaded = await loader.load(definition.decider, streamId);
          if (!reloaded.commands.has(commandId)) return staleRevision(streamId, envelope.expectedRevision, reloaded.revision);
          continue;
        }
        if (attempt >= this.maxAttempts) return keptChanging(streamId, attempt);
        // Another process won the race; back off (jittered, growing) before deciding again on its result.
        await sleep(Math.random() * 2 ** attempt);
      }
    }
  }
}

/** The resource a command acts on: its aggregate type, the id its stream names, and a job space if it names one. */
function resourceOf(type: string, streamId: string, command: { data: unknown }): { type: string; id: string | null; jobSpace: string | null } {
  const dash = streamId.indexOf('-');
  const data = command.data as { jobSpace?: unknown };
  return { type, id: dash === -1 ? null : streamId.slice(dash + 1), jobSpace: typeof data.jobSpace === 'string' ? data.jobSpace : null };
}

/** Most characters of a refusal's code and message kept in its record (the caller's answer is not cut). */
const MAX_RECORDED_CODE = 200;
const MAX_RECORDED_MESSAGE = 2000;

/** A refusal by the org's structure, as recorded; null for input refused as malformed or dangling. */
function structureRefusal(error: AppError): StructureRefusal | null {
  const { kind } = error;
  if (kind !== 'conflict' && kind !== 'forbidden' && kind !== 'unprocessable') return null;
  return { kind, code: error.code.slice(0, MAX_RECORDED_CODE), message: error.message.slice(0, MAX_RECORDED_MESSAGE) };
}

function keptChanging(streamId: string, attempts: number): AppError {
  return appError('conflict', 'CONCURRENCY_CONFLICT', `stream ${streamId} kept changing; the command was not applied`, { streamId, attempts });
}

/** A command's payload: its `data` (what the client sent); anything else is left to the schema to refuse. */
function payloadOf(input: unknown): unknown {
  return typeof input === 'object' && input !== null && 'data' in input ? input.data : undefined;
}


function staleRevision(streamId: string, expected: bigint, actual: bigint): AppError {
  return appError('precondition_failed', 'REVISION_MISMATCH', `stream ${streamId} is at revision ${actual}, not ${expected}: it changed since it was read; read it again and, if the change still applies, send If-Match: "${actual}"`, {
    streamId,
    expectedRevision: expected.toString(),
    actualRevision: actual.toString(),
  });
}
