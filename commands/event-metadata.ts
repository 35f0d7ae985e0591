import { z } from 'zod';
import { principalSchema } from '../domain/shared/principal.ts';

/** Metadata every event carries (the design's list, plus what idempotency needs: commandType and commandHash). */
export const eventMetadataSchema = z.object({
  eventId: z.uuid(),
  commandId: z.string(),
  commandType: z.string(),
  commandHash: z.string(),
  correlationId: z.string(),
  causationId: z.string(),
  principal: principalSchema,
  orgId: z.string().nullable(),
  occurredAt: z.iso.datetime(),
  schemaVersion: z.number().int().positive(),
  decisionId: z.string().nullable(),
});
export type EventMetadata = z.infer<typeof eventMetadataSchema>;
