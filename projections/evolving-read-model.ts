import type { PlatformEventOf, PlatformEventType } from '../domain/events/catalog.ts';
import type { JsonDocument } from '../infra/documents/port.ts';
import type { ProjectedEvent, Projection, ProjectionContext } from './projection.ts';
import { withoutBookkeeping, writeDocument } from './read-model-writes.ts';
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
  /** Indexes the read model's queries need. */
  setup?(context: ProjectionContext): Promise<void>;
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
    async setup(context) {
      await options.setup?.(context);
    },
    async apply(event, { docs }) {
      await writeDocument(docs, collection, options.idOf(event), event.position, (current) => {
        const state = current ? options.fromDocument(withoutBookkeeping(current)) : decider.initialState;
        const next = decider.evolve(state, event);
        return next === null ? null : options.toDocument(next, event, current);
      });
    },
  };
}
