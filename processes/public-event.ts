import { streamCategory, type RecordedEvent } from '../infra/eventstore/port.ts';
import type { JsonObject, JsonValue } from '../domain/shared/json-value.ts';

/**
 * A committed event as it leaves the platform: on Server-Sent Events (`GET /events/stream`) and on the NATS fan-out
 * (`agencygrid.events.<orgId|platform>.<category>.<EventType>`). One shape for both, so a consumer can switch.
 *
 * `data` and `metadata` are the stored ones (not upcast: `metadata.schemaVersion` says which version `data` is), with
 * secrets removed and nothing else dropped.
 */
// A type (not an interface) so that it is assignable to a JSON object as it is.
export type PublicEvent = {
  /** Global position in `$all`, a decimal string (64-bit in EventStoreDB). Also the SSE `id`. */
  position: string;
  streamId: string;
  revision: number;
  type: string;
  data: JsonObject;
  metadata: JsonObject;
  /** The org the event belongs to (`metadata.orgId`), null for platform-level events (subjects, API keys, ...). */
  orgId: string | null;
};

/**
 * Field names whose values are secrets or verifiers of secrets, removed at any depth of `data` and `metadata`:
 * - `keyHash`: the SHA-256 an API key is checked against. It appears in `ApiKeyIssued` (apikey-<keyId>) and in the
 *   `request.command.data` of the DecisionRecorded that permitted (apikey-<keyId>) or denied (audit-platform) an
 *   IssueApiKey. Removed for every reader, platform admins included: no consumer needs it, and the log keeps it.
 * Metadata carries no secret by construction (commands/event-metadata.ts); the same rule applies to it anyway.
 */
export const SECRET_FIELDS: ReadonlySet<string> = new Set(['keyHash']);

/** The event's org: `metadata.orgId`, or null for platform-level events (and for events without a usable one). */
export function eventOrgId(event: Pick<RecordedEvent, 'metadata'>): string | null {
  const orgId = event.metadata.orgId;
  return typeof orgId === 'string' && orgId.length > 0 ? orgId : null;
}

/** The stream category: the prefix before the first `-` (`roster-<orgId>` -> `roster`). */
export function eventCategory(event: Pick<RecordedEvent, 'streamId'>): string {
  return streamCategory(event.streamId);
}

function withoutSecrets(value: JsonValue): JsonValue {
  if (Array.isArray(value)) return value.map(withoutSecrets);
  if (value !== null && typeof value === 'object') return withoutSecretFields(value);
  return value;
}

function withoutSecretFields(object: JsonObject): JsonObject {
  const copy: JsonObject = {};
  for (const [name, value] of Object.entries(object)) {
    if (!SECRET_FIELDS.has(name)) copy[name] = withoutSecrets(value);
  }
  return copy;
}

export function publicEvent(event: RecordedEvent): PublicEvent {
  return {
    position: event.position.toString(),
    streamId: event.streamId,
    revision: Number(event.revision),
    type: event.type,
    data: withoutSecretFields(event.data),
    metadata: withoutSecretFields(event.metadata),
    orgId: eventOrgId(event),
  };
}
