import type { DomainEvent } from '../domain/shared/decider.ts';
import type { Principal } from '../domain/shared/principal.ts';
import type { EventRegistry } from '../domain/events/registry.ts';
import type { EventToAppend } from '../infra/eventstore/port.ts';
import { deterministicEventId } from './command-identity.ts';
import type { EventMetadata } from './event-metadata.ts';
import type { JsonObject } from '../domain/shared/json-value.ts';

/** Everything about the command that every event it appends carries. */
export interface CommandStamp {
  commandId: string;
  commandType: string;
  commandHash: string;
  correlationId: string;
  causationId: string;
  principal: Principal;
  orgId: string | null;
  occurredAt: string;
  decisionId: string | null;
}

/**
 * Validates a domain event against its registered schema and wraps it with the command's metadata. Its id derives
 * from the command (or from `idSeed`, when one command may record different things in one stream over its retries,
 * such as decisions), so re-appending the same thing is idempotent.
 */
export function envelopEvent(
  registry: EventRegistry,
  event: DomainEvent,
  streamId: string,
  index: number,
  stamp: CommandStamp,
  idSeed: string = stamp.commandId,
): EventToAppend {
  const encoded = registry.encode(event.type, event.data);
  const eventId = deterministicEventId(idSeed, streamId, index);
  const metadata: EventMetadata = { eventId, ...stamp, schemaVersion: encoded.schemaVersion };
  // Encoded data passed its zod schema, whose shapes are JSON by construction.
  return { id: eventId, type: event.type, data: encoded.data as JsonObject, metadata: metadata as unknown as JsonObject };
}
