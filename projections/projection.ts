import type { PlatformEventOf, PlatformEventRegistry, PlatformEventType } from '../domain/events/catalog.ts';
import type { Cache } from '../infra/cache/port.ts';
import type { DocumentStore } from '../infra/documents/port.ts';

/** Where an event sits in the log, and the context it was written with. */
export interface EventPlacement {
  eventId: string;
  streamId: string;
  revision: bigint;
  position: bigint;
  metadata: Readonly<Record<string, unknown>>;
}

/**
 * An event as projections see it: decoded to its current schema (so its data is typed by its `type`), with where it
 * sits in the log. `Type` narrows it to the types a projection applies.
 */
export type ProjectedEvent<Type extends PlatformEventType = PlatformEventType> = PlatformEventOf<Type> & EventPlacement;

export interface ProjectionContext {
  docs: DocumentStore;
  registry: PlatformEventRegistry;
  /** The hot-path cache (Redis or in-process), for projections that maintain or invalidate cached entries. */
  cache?: Cache;
}

/**
 * A read model built from the log. `apply` runs for every event of `eventTypes`, in log order, at least once:
 * it must be idempotent (the helpers in read-model-writes.ts keep each document's `_position` in the same write as
 * its content and skip an event already applied).
 */
export interface Projection<Type extends PlatformEventType = PlatformEventType> {
  name: string;
  /** Bump when the read model's shape changes: a projection whose stored version differs is rebuilt at start. */
  version: number;
  /** The event types it applies; the others only advance its position. */
  eventTypes: readonly Type[];
  /** The collections it owns: dropped on rebuild. */
  collections: readonly string[];
  /**
   * True for a projection that only keeps caches honest and owns no read model: read-your-writes never waits for it
   * (a read that uses the cache checks its progress instead), so a cache outage it waits out does not hold reads.
   */
  cacheOnly?: boolean;
  /** Indexes and anything else the read model needs before the first event. */
  setup(context: ProjectionContext): Promise<void>;
  apply(event: ProjectedEvent<Type>, context: ProjectionContext): Promise<void>;
}

/** A projection whose `apply` sees exactly the events of its `eventTypes`, typed by their schemas. */
export function defineProjection<const Type extends PlatformEventType>(projection: Projection<Type>): Projection<Type> {
  return projection;
}

/** Whether the projection applies this event; narrows the event to the types the projection reads. */
export function appliesTo<Type extends PlatformEventType, Event extends ProjectedEvent>(
  projection: Projection<Type>,
  event: Event,
): event is Extract<Event, { type: Type }> {
  return (projection.eventTypes as readonly string[]).includes(event.type);
}
