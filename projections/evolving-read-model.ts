import type { PlatformEventOf, PlatformEventType } from '../domain/events/catalog.ts';
import type { IndexSpec, JsonDocument } from '../infra/documents/port.ts';
import type { ProjectedEvent, Projection } from './projection.ts';
import { occurredAt, withoutBookkeeping, writeDocument } from './read-model-writes.ts';
import { ensureIndexes } from './read-models/index-fields.ts';
import type { JsonValue } from '../domain/shared/json-value.ts';

/** The part of an aggregate's decider a read model folds with: its state starts as null (not yet created). */
export interface EvolvingDecider<Type extends PlatformEventType, State> {
  initialState: State | null;
  evolve(state: State | null, event: PlatformEventOf<Type>): State | null;
}

export interface EvolvingReadModelOptions<Type extends PlatformEventType, State> {
  name: string;
  /** Bump when the documents' shape changes: the read model is rebuilt at start. */
  version: number;
  /** The one collection it owns: one document per aggregate. */
  collection: string;
  /** The aggregate's event definitions: the document is the aggregate's own fold, so it follows every one of them. */
  events: ReadonlyArray<{ readonly type: Type }>;
  decider: EvolvingDecider<Type, State>;
  /** The document an event belongs to (the aggregate's id). */
  idOf(event: PlatformEventOf<Type>): string;
  /** The state a stored document holds (the inverse of toDocument, bookkeeping already removed). */
  fromDocument(document: Record<string, JsonValue>): State;
  /** The document for the state the event produced; `current` is the document before it, if any. */
  toDocument(state: State, event: ProjectedEvent<Type>, current: JsonDocument | undefined): Record<string, JsonValue>;
  /** When the events changed the document, kept beside its state: `updatedAt` always, the rest as asked. */
  stamps?: DocumentStamps<State>;
  /** Indexes the read model's queries need. */
  indexes?: readonly IndexSpec[];
}

/** The times (and the revision) a document keeps of the events that changed it, which the state does not hold. */
export interface DocumentStamps<State> {
  /** The field that keeps the instant of the first event (e.g. `registeredAt`). */
  createdAt?: string;
  /** Whether the document keeps its stream's `revision` (the ETag its command routes take as If-Match). */
  revision?: boolean;
  /** Whether a state is final: `closedAt` keeps the instant one was first reached (a final state is never left). */
  final?(state: State): boolean;
}

/** The stamps of the document `event` leaves, `current` being the one before it: every instant is the event's own. */
function stampsOf<State>(stamps: DocumentStamps<State>, state: State, event: ProjectedEvent, current: JsonDocument | undefined): Record<string, JsonValue> {
  const at = occurredAt(event);
  const kept = (field: string) => {
    const value = current?.[field];
    return typeof value === 'string' ? value : at;
  };
  return {
    ...(stamps.revision ? { revision: Number(event.revision) } : {}),
    ...(stamps.createdAt === undefined ? {} : { [stamps.createdAt]: kept(stamps.createdAt) }),
    updatedAt: at,
    ...(stamps.final === undefined ? {} : { closedAt: stamps.final(state) ? kept('closedAt') : null }),
  };
}

/**
 * A read model whose document is the aggregate's own state: each event is folded with the domain's evolve into the
 * state the document holds, so the read model cannot drift from what the aggregate decides on. Evolve answering null
 * deletes the document.
 */
export function evolvingReadModel<Type extends PlatformEventType, State>(options: EvolvingReadModelOptions<Type, State>): Projection<Type> {
  const { collection, decider } = options;
  return {
    name: options.name,
    version: options.version,
    eventTypes: options.events.map((definition) => definition.type),
    collections: [collection],
    async setup({ docs }) {
      await ensureIndexes(docs, collection, options.indexes ?? []);
    },
    async apply(event, { docs }) {
      await writeDocument(docs, collection, options.idOf(event), event.position, (current) => {
        const state = current ? options.fromDocument(withoutBookkeeping(current)) : decider.initialState;
        const next = decider.evolve(state, event);
        return next === null ? null : { ...options.toDocument(next, event, current), ...stampsOf(options.stamps ?? {}, next, event, current) };
      });
    },
  };
}
