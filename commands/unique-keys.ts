import { appError, type AppError } from '../domain/shared/app-error.ts';
import type { EventRegistry } from '../domain/events/registry.ts';
import { reservationStream, STREAM_FENCED } from '../domain/reservation/events.ts';
import { WrongExpectedVersionError } from '../infra/eventstore/errors.ts';
import type { EventStore, RecordedEvent } from '../infra/eventstore/port.ts';
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
      const claim = envelopEvent(
        this.registry,
        { type: 'UniqueKeyReserved', data: { scope: reservation.scope, key: reservation.key, ownerStreamId } },
        streamId,
        0,
        { ...stamp, commandType: 'ReserveUniqueKey' },
      );
      try {
        // Same command, same event id: a retry finds its own claim and the store answers idempotently.
        await this.store.appendToStream(streamId, [claim], { expectedRevision: 'no_stream' });
      } catch (error) {
        if (!(error instanceof WrongExpectedVersionError)) throw error;
        const taken = appError('conflict', reservation.conflictCode, reservation.conflictMessage, { scope: reservation.scope, key: reservation.key });
        const handedOver = await this.takeOverAbandoned(streamId, claim, stamp);
        if (!handedOver) return taken;
      }
    }
    return undefined;
  }

  private async takeOverAbandoned(streamId: string, claim: Parameters<EventStore['appendToStream']>[1][number], stamp: CommandStamp): Promise<boolean> {
    let holder: RecordedEvent | undefined;
    for await (const event of this.store.readStream(streamId, { direction: 'backwards', maxCount: 1 })) holder = event;
    if (!holder) return false;
    if (holder.metadata.commandId === stamp.commandId) return true;
    const claimedAt = Date.parse(String(holder.metadata.occurredAt));
    if (!(Date.parse(stamp.occurredAt) - claimedAt >= this.leaseMs)) return false;

    const abandonedStream = String(holder.data.ownerStreamId);
    const fence = envelopEvent(
      this.registry,
      { type: STREAM_FENCED, data: { reason: `abandoned claim on ${streamId}`, byCommandId: stamp.commandId } },
      abandonedStream,
      0,
      { ...stamp, commandType: 'FenceAbandonedStream' },
    );
    try {
      // Succeeds only if the holder never created its stream; if it did, the key is genuinely taken.
      await this.store.appendToStream(abandonedStream, [fence], { expectedRevision: 'no_stream' });
    } catch (error) {
      if (!(error instanceof WrongExpectedVersionError)) throw error;
      // The stream exists. The key is genuinely taken only if the claiming command created it; a stream fenced by an
      // earlier taker, or created by another command (the claimer lost the race for the same id), leaves it free.
      if (await this.createdBy(abandonedStream, holder.metadata.commandId)) return false;
    }
    try {
      await this.store.appendToStream(streamId, [claim], { expectedRevision: holder.revision });
      return true;
    } catch (error) {
      if (error instanceof WrongExpectedVersionError) return false;
      throw error;
    }
  }

  /** Whether the stream's first event is the given command's own (not a fence, not another command's). */
  private async createdBy(streamId: string, commandId: unknown): Promise<boolean> {
    for await (const event of this.store.readStream(streamId, { maxCount: 1 })) {
      return event.type !== STREAM_FENCED && event.metadata.commandId === commandId;
    }
    return false;
  }
}
