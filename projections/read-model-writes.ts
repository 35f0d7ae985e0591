import type { DocumentStore, JsonDocument } from '../infra/documents/port.ts';
import type { JsonValue } from '../domain/shared/json-value.ts';

/** Documents carry the log position of the last event applied to them, in the same write as their content. */
export const POSITION_FIELD = '_position';

function appliedAt(document: JsonDocument | undefined): bigint {
  const value = document?.[POSITION_FIELD];
  return typeof value === 'string' ? BigInt(value) : -1n;
}

/**
 * Applies one event to one document, idempotently: skipped when the document already reflects this position (a
 * replay after a crash). `next` returns the new content, or null to delete the document.
 */
export async function writeDocument(
  docs: DocumentStore,
  collection: string,
  id: string,
  position: bigint,
  next: (current: JsonDocument | undefined) => Record<string, JsonValue> | null,
): Promise<void> {
  const current = await docs.get(collection, id);
  if (appliedAt(current) >= position) return;
  const content = next(current);
  if (content === null) {
    await docs.delete(collection, id);
    return;
  }
  await docs.upsert(collection, { ...content, _id: id, [POSITION_FIELD]: position.toString() });
}

/** The instant an event occurred (its metadata's), as documents record when something happened. */
export function occurredAt(event: { metadata: Readonly<Record<string, unknown>> }): string {
  return String(event.metadata.occurredAt);
}

/** The JSON form of a value built from event data (undefined fields dropped), as a document stores it. */
export function json<T>(value: T): JsonValue {
  return JSON.parse(JSON.stringify(value)) as JsonValue;
}

export function withoutBookkeeping(document: JsonDocument): Record<string, JsonValue> {
  const { [POSITION_FIELD]: _position, _id, ...rest } = document;
  return rest;
}

/** A write's `next` that changes some fields of a document, if it exists (an event about one never written: none). */
export function amend(changes: Record<string, JsonValue>): (current: JsonDocument | undefined) => Record<string, JsonValue> | null {
  return (current) => (current ? { ...withoutBookkeeping(current), ...changes } : null);
}
