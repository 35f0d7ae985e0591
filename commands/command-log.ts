import type { PlatformEventRegistry } from '../domain/events/catalog.ts';
import { commandLogStream, type CommandCompleted } from '../domain/command-log/events.ts';
import { StreamNotFoundError, WrongExpectedVersionError } from '../infra/eventstore/errors.ts';
import type { EventStore } from '../infra/eventstore/port.ts';
import { envelopEvent, type CommandStamp } from './event-envelope.ts';

export type CompletedCommand = CommandCompleted['data'];

/** Reads and writes `command-<id>` records: one per retryable command, written once, after its effect. */
export class CommandLog {
  constructor(
    private readonly store: EventStore,
    private readonly registry: PlatformEventRegistry,
  ) {}

  async find(commandId: string): Promise<CompletedCommand | undefined> {
    try {
      for await (const event of this.store.readStream(commandLogStream(commandId), { maxCount: 1 })) {
        const decoded = this.registry.decode(event.type, event.data, event.metadata);
        if (decoded.type === 'CommandCompleted') return decoded.data;
      }
    } catch (error) {
      if (!(error instanceof StreamNotFoundError)) throw error;
    }
    return undefined;
  }

  /** Idempotent: a concurrent duplicate of the same command may have written it first. */
  async record(completed: CompletedCommand, stamp: CommandStamp): Promise<void> {
    const streamId = commandLogStream(stamp.commandId);
    const event = envelopEvent(this.registry, { type: 'CommandCompleted', data: completed }, streamId, 0, stamp);
    try {
      await this.store.appendToStream(streamId, [event], { expectedRevision: 'no_stream' });
    } catch (error) {
      if (!(error instanceof WrongExpectedVersionError)) throw error;
    }
  }
}
