import { appError, withAudience, type AppError } from '../domain/shared/app-error.ts';
import type { DecisionContext, DomainEvent } from '../domain/shared/decider.ts';
import type { PlatformEventRegistry } from '../domain/events/catalog.ts';
import { sleepBackoff } from '../infra/retry/backoff.ts';
import { contendedAppend } from '../infra/retry/policies.ts';
import { unavailableErrorFor } from './unavailable-error.ts';
import type { EventStore } from '../infra/eventstore/port.ts';
import type { AggregateDefinition } from './aggregate.ts';
import { AttemptReader } from './attempt-reader.ts';
import type { CommandEnvelope } from './command-envelope.ts';
import { DEFAULT_INPUT_LIMITS, refuseInput, type InputLimits } from './input-limits.ts';
import { CommandLog } from './command-log.ts';
import type { AsideRecord, PreAppendCheck, StructureRefusal } from './pre-append-check.ts';
import type { CommandResult } from './result.ts';
import type { StreamLoader } from './stream-loader.ts';
import { StreamLocks } from './stream-locks.ts';
import { UniqueKeys } from './unique-keys.ts';
import { appendDecided, recordAside } from './stages/append.ts';
import { authorize, refuseOnStream } from './stages/authorize.ts';
import { commandJob, type CommandJob } from './stages/command-job.ts';
import { completeCommand } from './stages/complete.ts';
import { decide } from './stages/decide.ts';
import { idempotencyKeyReused, keptChanging, staleRevision, structureRefusal } from './stages/refusals.ts';
import { judgeCompletion, judgeStreamRecord, replayed } from './stages/replay.ts';
import { RETRY_PLANS, type RetryReason } from './stages/retry-plan.ts';
import { validateCommand } from './stages/validate.ts';

export type { CommandEnvelope } from './command-envelope.ts';

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
 * Runs every command the same way, in stages (commands/stages/): validate, load, authorize, decide, claim, append
 * with the expected revision, complete; retry on conflict. A command id names one execution: repeating it answers
 * with the first result and appends nothing.
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
    const validated = validateCommand(definition.commandSchema, input, this.inputLimits);
    if (!validated.ok) return validated.error;
    this.inFlight += 1;
    try {
      const { command } = validated;
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

  /** The retry loop: each attempt composes the stages; the loop only decides whether, and when, to try again. */
  private async run<Command extends { type: string; data: unknown }, State, Event extends DomainEvent, Context extends DecisionContext>(
    definition: AggregateDefinition<Command, State, Event, Context>,
    command: Command,
    envelope: CommandEnvelope,
  ): Promise<CommandResult | AppError> {
    const job = commandJob(definition, command, envelope);
    const completion = judgeCompletion(envelope.retryable ? await this.commandLog.find(job.commandId) : undefined, job.hash, job.streamId);
    if (completion.kind === 'reused') return idempotencyKeyReused(job.commandId);
    if (completion.kind === 'same' && completion.earlier.noop)
      return replayed(job.commandId, job.streamId, BigInt(completion.earlier.streamRevision), null, []);

    for (let attempt = 1; ; attempt += 1) {
      const outcome = await this.attempt(definition, job, completion.kind === 'same');
      if (outcome.kind === 'answer') return outcome.answer;
      const plan = RETRY_PLANS[outcome.retry];
      if (plan.bounded && attempt >= this.maxAttempts) return keptChanging(job.streamId, attempt);
      // Another process won the race; back off (jittered, growing) before deciding again on its result.
      if (plan.backoff) await sleepBackoff(contendedAppend, attempt);
    }
  }

  /** One attempt: load, authorize, decide, claim, append, complete, each on what the stages before it found. */
  private async attempt<Command extends { type: string; data: unknown }, State, Event extends DomainEvent, Context extends DecisionContext>(
    definition: AggregateDefinition<Command, State, Event, Context>,
    job: CommandJob<Command>,
    hasCompletion: boolean,
  ): Promise<AttemptOutcome> {
    const { loader, registry, store } = this.options;
    const { command, commandId, streamId, envelope } = job;
    const answer = (result: CommandResult | AppError): AttemptOutcome => ({ kind: 'answer', answer: result });

    const loaded = await loader.load(definition.decider, streamId);
    const earlier = judgeStreamRecord(loaded.commands.get(commandId), job.hash);
    if (earlier.kind === 'reused') return answer(idempotencyKeyReused(commandId));
    if (earlier.kind === 'same') {
      // Appended before a crash that came before its completion record: write the record now.
      if (!hasCompletion) await completeCommand(this.commandLog, job, earlier.earlier.streamRevision, false, job.stampAt(this.clock().toISOString()));
      return answer(replayed(commandId, streamId, earlier.earlier.streamRevision, earlier.earlier.position, earlier.earlier.events));
    }

    const now = this.clock().toISOString();
    const reader = new AttemptReader(loader);
    reader.seed(streamId, loaded);
    const context = await definition.loadContext(command, reader, { now, principal: envelope.principal, commandId });
    const check = await authorize(this.options.check, definition, job, loaded, reader, now);
    const aside = (records: readonly AsideRecord[]) => recordAside(store, registry, records, (decisionId) => job.stampAt(now, decisionId));
    if (!check.allowed) {
      await aside(check.records ?? []);
      return answer(check.error);
    }
    // Only after the policy: the stream's state (its revision, a fence) is the org's to tell, shaped like any
    // refusal for a caller the policy let act but who may not see the org.
    const onStream = refuseOnStream(loaded, envelope.expectedRevision);
    if (onStream) return answer(withAudience(onStream, check.audience));
    const recordsOf = (refusal: StructureRefusal | null) => (refusal === null ? [] : (check.refusedByStructure?.(refusal) ?? []));

    const decision = decide(definition.decider, command, loaded.state, context);
    if (decision.kind === 'refused') {
      // The policy said yes and the org's structure said no (a conflict, a forbidden self-grant, a missing
      // capability): that permit and the refusal are part of the story and are recorded. Malformed or dangling
      // input ('invalid', 'not_found') records nothing, like input refused before the policy.
      const records = recordsOf(decision.structure);
      if (records.length > 0) {
        // Final only if decided on the stream as it still is: a refusal of stale state is decided again.
        const current = await loader.load(definition.decider, streamId);
        if (current.revision !== loaded.revision) return { kind: 'retry', retry: 'stale-refusal' };
        await aside(records);
      }
      return answer(withAudience(decision.error, check.audience));
    }
    const stamp = job.stampAt(now, check.decisionId ?? null);
    if (decision.kind === 'nothing') {
      // Nothing happened, so there is nothing for the decision to explain.
      await completeCommand(this.commandLog, job, loaded.revision, true, stamp);
      return answer({ commandId, streamId, streamRevision: loaded.revision, position: null, events: [], replayed: false });
    }

    const claimed = await this.uniqueKeys.claim(definition.reservations?.(command) ?? [], streamId, stamp);
    if (claimed) {
      // The key is held by another command's stream, which this one never loaded: the claim itself is the check.
      await aside(recordsOf(structureRefusal(claimed)));
      return answer(withAudience(claimed, check.audience));
    }

    const appended = await appendDecided(store, registry, streamId, loaded.revision, [...(check.events ?? []), ...decision.events], stamp, new Date(now));
    if (appended.kind === 'appended-elsewhere') {
      // A concurrent copy of this command appended first: our `loaded` state is stale; the log has the answer.
      loader.forget(streamId);
      return { kind: 'retry', retry: 'appended-elsewhere' };
    }
    if (appended.kind === 'lost-race') {
      loader.forget(streamId);
      if (envelope.expectedRevision === undefined) return { kind: 'retry', retry: 'lost-race' };
      // Someone else appended between our load and our append: the client's precondition no longer holds,
      // unless the winner was this very command (a concurrent retry), which the next load will show.
      const reloaded = await loader.load(definition.decider, streamId);
      if (!reloaded.commands.has(commandId)) return answer(staleRevision(streamId, envelope.expectedRevision, reloaded.revision));
      return { kind: 'retry', retry: 'own-copy-won' };
    }
    const after = loader.remember(definition.decider, loaded, appended.recorded);
    await completeCommand(this.commandLog, job, appended.streamRevision, false, stamp);
    return answer({
      commandId,
      streamId,
      streamRevision: appended.streamRevision,
      position: appended.position,
      events: after.commands.get(commandId)?.events ?? [],
      replayed: false,
    });
  }
}

/** An attempt's end: the command's answer, or why it must be decided again. */
type AttemptOutcome = { kind: 'answer'; answer: CommandResult | AppError } | { kind: 'retry'; retry: RetryReason };
