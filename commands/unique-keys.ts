import { appError, type AppError } from '../domain/shared/app-error.ts';
import type { EventRegistry } from '../domain/events/registry.ts';
import { reservationStream, STREAM_FENCED } from '../domain/reservation/events.ts';
import { WrongExpectedVersionError } from '../infra/eventstore/errors.ts';
import type { EventStore, EventToAppend, ExpectedRevision, RecordedEvent } from '../infra/eventstore/port.ts';
import type { UniqueReservation } from './aggregate.ts';
import { envelopEvent, type CommandStamp } from './event-envelope.ts';

/**
 * Claims keys that must be unique across streams. A claim is a stream created with `no_stream`, so exactly one
 * command wins it. The claim and the command's own append are two writes: a command that crashes between them
 * leaves a claim with no owner. Such a claim is handed over once its lease has passed, after fencing the stream its
 * command never created, so that command can no longer complete and two owners can never exist.
 */
export class UniqueKeys {
  constructor(
    private readonly store: EventStore,
    private readonly registry: EventRegistry,
    private readonly leaseMs: number,
  ) {}

  async claim(reservations: readonly UniqueReservation[], ownerStreamId: string, stamp: CommandStamp): Promise<AppError | undefined> {
    for (const reservation of reservations) {
      const streamId = reservationStream(reservation.scope, reservation.key);
      const claim = this.firstEvent(
        streamId,
        'UniqueKeyReserved',
        { scope: reservation.scope, key: reservation.key, ownerStreamId },
        stamp,
        'ReserveUniqueKey',
      );
      // Same command, same event id: a retry finds its own claim and the store answers idempotently.
      if (await this.appendIfAt(streamId, claim, 'no_stream')) continue;
      const taken = appError('conflict', reservation.conflictCode, reservation.conflictMessage, { scope: reservation.scope, key: reservation.key });
      const handedOver = await this.takeOverAbandoned(streamId, claim, stamp);
      if (!handedOver) return taken;
    }
    return undefined;
  }

  /** Event `type` as the first of stream `streamId`, recorded as what command `commandType` of `stamp` wrote. */
  private firstEvent(streamId: string, type: string, data: Record<string, unknown>, stamp: CommandStamp, commandType: string): EventToAppend {
    return envelopEvent(this.registry, { type, data }, streamId, 0, { ...stamp, commandType });
  }

  /** Appends `event` if stream `streamId` is at `expectedRevision` (`no_stream`: does not exist yet); false when it is not. */
  private async appendIfAt(streamId: string, event: EventToAppend, expectedRevision: ExpectedRevision): Promise<boolean> {
    try {
      await this.store.appendToStream(streamId, [event], { expectedRevision });
      return true;
    } catch (error) {
      if (!(error instanceof WrongExpectedVersionError)) throw error;
      return false;
    }
  }

  private async takeOverAbandoned(streamId: string, claim: EventToAppend, stamp: CommandStamp): Promise<boolean> {
    let holder: RecordedEvent | undefined;
    for await (const event of this.store.readStream(streamId, { direction: 'backwards', maxCount: 1 })) holder = event;
    if (!holder) return false;
    if (holder.metadata.commandId === stamp.commandId) return true;
    const claimedAt = Date.parse(String(holder.metadata.occurredAt));
    if (!(Date.parse(stamp.occurredAt) - claimedAt >= this.leaseMs)) return false;

    const abandonedStream = String(holder.data.ownerStreamId);
    const fence = this.firstEvent(
      abandonedStream,
      STREAM_FENCED,
      { reason: `abandoned claim on ${streamId}`, byCommandId: stamp.commandId },
      stamp,
      'FenceAbandonedStream',
    );
    // Created only if the holder never created its stream; if it did, the key is genuinely taken.
    const fenced = await this.appendIfAt(abandonedStream, fence, 'no_stream');
    // The stream exists. The key is genuinely taken only if the claiming command created it; a stream fenced by an
    // earlier taker, or created by another command (the claimer lost the race for the same id), leaves it free.
    if (!fenced && (await this.createdBy(abandonedStream, holder.metadata.commandId))) return false;
    return this.appendIfAt(streamId, claim, holder.revision);
  }

  /** Whether the stream's first event is the given command's own (not a fence, not another command's). */
  private async createdBy(streamId: string, commandId: unknown): Promise<boolean> {
    for await (const event of this.store.readStream(streamId, { maxCount: 1 })) {
      return event.type !== STREAM_FENCED && event.metadata.commandId === commandId;
    }
    return false;
  }
}
