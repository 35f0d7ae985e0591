import { randomUUID } from 'node:crypto';
import type { AggregateDefinition } from '../commands/aggregate.ts';
import type { CommandPipeline } from '../commands/pipeline.ts';
import type { CommandResult } from '../commands/result.ts';
import { isAppError } from '../domain/shared/app-error.ts';
import type { DecisionContext, DomainEvent } from '../domain/shared/decider.ts';
import type { Principal } from '../domain/shared/principal.ts';
import type { AllSubscription, EventStore, RecordedEvent } from '../infra/eventstore/port.ts';
import { benchAdmin } from './fixtures.ts';
import { now } from './measure.ts';

/** Runs one command through the pipeline (as the bench admin unless told otherwise); a refusal stops the bench. */
export async function mustExecute<Command extends { type: string; data: unknown }, State, Event extends DomainEvent, Context extends DecisionContext>(
  pipeline: CommandPipeline,
  aggregate: AggregateDefinition<Command, State, Event, Context>,
  command: { type: string; data: Record<string, unknown> },
  principal: Principal = benchAdmin,
): Promise<CommandResult> {
  const result = await pipeline.execute(aggregate, command, { commandId: randomUUID(), principal });
  if (isAppError(result)) throw new Error(`${command.type} refused: ${result.code} ${result.message}`);
  return result;
}

/**
 * Follows `$all` from the head for some event types and notes when each was seen (performance.now(), in this
 * process: the store wakes its subscriptions on every append, so this is the append's time plus a hop of the loop).
 * `waitFor(key)` resolves with the time the first event of that key was seen.
 */
export class EventClock {
  private readonly seen = new Map<string, { at: number; event: RecordedEvent }[]>();
  private readonly waiters = new Map<string, Array<(at: number) => void>>();
  private subscription: AllSubscription | undefined;
  private running: Promise<void> | undefined;

  constructor(
    private readonly store: EventStore,
    private readonly eventTypes: readonly string[],
    /** The key an event is filed under, e.g. `AssignmentAwarded:<jobId>`. */
    private readonly keyOf: (event: RecordedEvent) => string,
  ) {}

  async start(): Promise<void> {
    const head = await this.store.headPosition();
    const subscription = this.store.subscribeToAll({ afterPosition: head, filter: { eventTypes: this.eventTypes } });
    this.subscription = subscription;
    this.running = (async () => {
      for await (const event of subscription) {
        const at = now();
        const key = this.keyOf(event);
        const list = this.seen.get(key) ?? [];
        list.push({ at, event });
        this.seen.set(key, list);
        for (const resolve of this.waiters.get(key) ?? []) resolve(at);
        this.waiters.delete(key);
      }
    })();
  }

  all(key: string): ReadonlyArray<{ at: number; event: RecordedEvent }> {
    return this.seen.get(key) ?? [];
  }

  waitFor(key: string, timeoutMs: number): Promise<number> {
    const first = this.seen.get(key)?.[0];
    if (first) return Promise.resolve(first.at);
    return new Promise((resolve, reject) => {
      // Unref'd: a wait that is never met (a failure that does not come) must not keep the process alive.
      const timer = setTimeout(() => reject(new Error(`no ${key} within ${timeoutMs} ms`)), timeoutMs).unref();
      const list = this.waiters.get(key) ?? [];
      list.push((at) => {
        clearTimeout(timer);
        resolve(at);
      });
      this.waiters.set(key, list);
    });
  }

  async stop(): Promise<void> {
    await this.subscription?.unsubscribe();
    await this.running;
  }
}

/** Accumulates time by label (e.g. a saga's handler per event type): calls, total and samples. */
export class Timings {
  readonly byLabel = new Map<string, number[]>();

  add(label: string, ms: number): void {
    const list = this.byLabel.get(label) ?? [];
    list.push(ms);
    this.byLabel.set(label, list);
  }

  total(label: string): number {
    return (this.byLabel.get(label) ?? []).reduce((sum, ms) => sum + ms, 0);
  }

  /** Wraps an async method of an object so that each call is timed under `labelOf(args)`. */
  wrap<T extends object, K extends keyof T>(target: T, method: K, labelOf: (...args: never[]) => string): () => void {
    const original = target[method] as unknown as (...args: unknown[]) => Promise<unknown>;
    const timings = this;
    const wrapped = async function (this: unknown, ...args: unknown[]) {
      const started = now();
      try {
        return await original.apply(target, args);
      } finally {
        timings.add((labelOf as (...args: unknown[]) => string)(...args), now() - started);
      }
    };
    (target as Record<K, unknown>)[method] = wrapped;
    return () => {
      (target as Record<K, unknown>)[method] = original;
    };
  }
}
