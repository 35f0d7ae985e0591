import type { DocumentStore } from '../infra/documents/port.ts';
import type { DeadLetters } from './saga-runner.ts';

const COLLECTION = '_saga_dead_letters';

/**
 * Events a saga gave up on, kept beside its checkpoint (`_saga_dead_letters`): which saga, which event, why. The
 * event itself stays in the log; an operator fixes the cause and replays it (the saga's steps are idempotent).
 */
export class DocumentDeadLetters implements DeadLetters {
  constructor(private readonly docs: DocumentStore) {}

  async record(saga: string, event: { type: string; position: bigint; eventId: string; streamId: string }, error: unknown): Promise<void> {
    await this.docs.upsert(COLLECTION, {
      _id: `${saga}:${event.eventId}`,
      saga,
      type: event.type,
      streamId: event.streamId,
      position: event.position.toString(),
      error: (error instanceof Error ? `${error.name}: ${error.message}` : String(error)).slice(0, 2_000),
      recordedAt: new Date().toISOString(),
    });
  }
}
