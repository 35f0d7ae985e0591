import type { PlatformEventRegistry } from '../domain/events/catalog.ts';
import { PROJECTION_PARKING_EVENT_TYPES, type ProjectionEventParked } from '../domain/projection-parking/events.ts';
import type { EventStore, RecordedEvent } from '../infra/eventstore/port.ts';
import { LogFollower } from '../processes/follow-log.ts';
import { PositionWaiters } from './position-waiters.ts';
import type { ParkedEventsView } from './runner.ts';

export type ParkedEvent = ProjectionEventParked['data'] & { parkedAtPosition: string };

/**
 * Which events an operator parked, per projection, learned from the log (ProjectionEventParked / Unparked), so every
 * instance skips the same events. Read completely before the projections start (a restart never stops again at an
 * event that was parked), then followed live; `onParked` is told when a projection gains a parked event, so a
 * projection stopped at it goes on.
 */
export class ParkedEventIndex implements ParkedEventsView {
  private readonly parked = new Map<string, Map<string, ParkedEvent>>();
  private follower: LogFollower | undefined;
  private onParked: (projection: string) => void = () => {};
  private position = 0n;
  private readonly waiters = new PositionWaiters();

  constructor(
    private readonly store: EventStore,
    private readonly registry: PlatformEventRegistry,
  ) {}

  async start(onParked?: (projection: string) => void): Promise<void> {
    if (onParked) this.onParked = onParked;
    const head = await this.store.headPosition();
    for await (const event of this.store.readAll({ filter: { eventTypes: PROJECTION_PARKING_EVENT_TYPES } })) {
      if (event.position > head) break;
      this.apply(event);
    }
    this.position = head;
    this.follower = new LogFollower(this.store, {
      filter: { eventTypes: PROJECTION_PARKING_EVENT_TYPES },
      afterPosition: head,
      onEvent: (event) => this.apply(event),
    });
  }

  private apply(recorded: RecordedEvent): void {
    const event = this.registry.decode(recorded.type, recorded.data, recorded.metadata);
    if (event.type === 'ProjectionEventParked' || event.type === 'ProjectionEventUnparked') {
      const { projection, position } = event.data;
      const ofProjection = this.parked.get(projection) ?? new Map<string, ParkedEvent>();
      this.parked.set(projection, ofProjection);
      if (event.type === 'ProjectionEventParked') {
        ofProjection.set(position, { ...event.data, parkedAtPosition: recorded.position.toString() });
        this.onParked(projection);
      } else {
        ofProjection.delete(position);
      }
    }
    this.position = recorded.position;
    this.waiters.release();
  }

  /** Resolves true once the index reflects `position` (a park or unpark just recorded), false after `timeoutMs`. */
  waitFor(position: bigint, timeoutMs = 5000): Promise<boolean> {
    return this.waiters.waitUntil(position, timeoutMs, () => this.position);
  }

  isParked(projection: string, position: bigint): boolean {
    return this.parked.get(projection)?.has(position.toString()) ?? false;
  }

  get(projection: string, position: string): ParkedEvent | undefined {
    return this.parked.get(projection)?.get(position);
  }

  /** Parked events, of one projection or of all, in log order. */
  list(projection?: string): ParkedEvent[] {
    const all =
      projection === undefined
        ? [...this.parked.values()].flatMap((byPosition) => [...byPosition.values()])
        : [...(this.parked.get(projection)?.values() ?? [])];
    return all.sort((a, b) =>
      BigInt(a.position) < BigInt(b.position) ? -1 : BigInt(a.position) > BigInt(b.position) ? 1 : a.projection.localeCompare(b.projection),
    );
  }

  async stop(): Promise<void> {
    await this.follower?.stop();
  }
}
