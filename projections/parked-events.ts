import type { PlatformEventRegistry } from '../domain/events/catalog.ts';
import { PROJECTION_PARKING_EVENT_TYPES, type ProjectionEventParked } from '../domain/projection-parking/events.ts';
import type { RecordedEvent } from '../infra/eventstore/port.ts';
import type { ProcessorCursor } from '../infra/log-consumer/cursor.ts';
import type { LogConsumer } from '../infra/log-consumer/log-consumer.ts';
import { retryLikeAnOutage } from '../infra/log-consumer/processor.ts';
import type { ParkedEventsView } from './runner.ts';

export type ParkedEvent = ProjectionEventParked['data'] & { parkedAtPosition: string };

/**
 * Which events an operator parked, per projection, learned from the log (ProjectionEventParked / Unparked), so every
 * instance skips the same events: a processor on the LogConsumer, from the start of the log at every start. Read
 * completely before the projections start (a restart never stops again at an event that was parked), then followed; `onParked` is told when a projection gains a parked event, so a
 * projection stopped at it goes on.
 */
export class ParkedEventIndex implements ParkedEventsView {
  private readonly parked = new Map<string, Map<string, ParkedEvent>>();
  private cursor: ProcessorCursor | undefined;
  private onParked: (projection: string) => void = () => {};

  constructor(
    private readonly consumer: LogConsumer,
    private readonly registry: PlatformEventRegistry,
  ) {}

  /** Resolves once the index has read the log up to its head at the start. */
  async start(onParked?: (projection: string) => void): Promise<void> {
    if (onParked) this.onParked = onParked;
    const head = await this.consumer.store.headPosition();
    this.cursor = this.consumer.attach(
      { name: 'parked-events', wants: { eventTypes: PROJECTION_PARKING_EVENT_TYPES }, failure: retryLikeAnOutage, handle: (event) => this.apply(event) },
      0n,
    );
    await this.cursor.until(head);
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
  }

  /** Resolves true once the index reflects `position` (a park or unpark just recorded), false after `timeoutMs`. */
  waitFor(position: bigint, timeoutMs = 5000): Promise<boolean> {
    return this.cursor?.waitFor(position, timeoutMs) ?? Promise.resolve(false);
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
    await this.cursor?.stop();
  }
}
