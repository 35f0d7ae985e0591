import { v5 as uuidv5 } from 'uuid';
import { z } from 'zod';
import { canonicalHash } from '../domain/shared/canonical-json.ts';

/** Client-chosen command ids (Idempotency-Key) are opaque tokens of a safe alphabet. */
export const commandIdSchema = z.string().regex(/^[A-Za-z0-9._:-]{8,200}$/, '8 to 200 characters of A-Z a-z 0-9 . _ : -');

const EVENT_ID_NAMESPACE = '6f1b8c2e-3d4a-4f5b-9c7d-2e1f0a9b8c7d';

/** Same command, same stream, same index: same event id, so a retried command is an idempotent append. */
export function deterministicEventId(commandId: string, streamId: string, index: number): string {
  return uuidv5(`${commandId}\u0000${streamId}\u0000${index}`, EVENT_ID_NAMESPACE);
}

/** Derives an aggregate id from a command id, so a retried create targets the same stream. */
export function deterministicId(commandId: string, purpose: string): string {
  return uuidv5(`${purpose}\u0000${commandId}`, EVENT_ID_NAMESPACE);
}

/** Hash of the command's canonical JSON (keys sorted at every level), so key order never makes a retry differ. */
export function commandHash(command: unknown): string {
  return canonicalHash(command);
}
