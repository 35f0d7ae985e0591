import type { EventRegistry } from '../domain/events/registry.ts';
import type { Cache } from '../infra/cache/port.ts';
import type { DocumentStore } from '../infra/documents/port.ts';

/** An event as projections see it: decoded to its current schema, with where it sits in the log. */
export interface ProjectedEvent {
  eventId: string;
  type: string;
  streamId: string;
  revision: bigint;
  position: bigint;
  data: Record<string, unknown>;
  metadata: Readonly<Record<string, unknown>>;
}

export interface ProjectionContext {
  docs: DocumentStore;
  registry: EventRegistry;
  /** The hot-path cache (Redis or in-process), for projections that maintain or invalidate cached entries. */
  cache?: Cache;
}

/**
 * A read model built from the log. `apply` runs for every event of `eventTypes`, in log order, at least once:
 * it must be idempotent (the helpers in read-model-writes.ts keep each document's `_position` in the same write as
 * its content and skip an event already applied).
 */
export interface Projection {
  name: string;
  /** Bump when the read model's shape changes: a projection whose stored version differs is rebuilt at start. */
  version: number;
  /** The event types it applies; the others only advance its position. */
  eventTypes: readonly string[];
  /** The collections it owns: dropped on rebuild. */
  collections: readonly string[];
  /**
   * True for a projection that only keeps caches honest and owns no read model: read-your-writes never waits for it
   * (a read that uses the cache checks its progress instead), so a cache outage it waits out does not hold reads.
   */
  cacheOnly?: boolean;
  /** Indexes and anything else the read model needs before the first event. */
  setup(context: ProjectionContext): Promise<void>;
  apply(event: ProjectedEvent, context: ProjectionContext): Promise<void>;
}
