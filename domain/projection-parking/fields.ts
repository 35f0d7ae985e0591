import { z } from 'zod';

/** A projection's name, as the runner knows it (e.g. `orgs`). */
export const projectionNameSchema = z.string().regex(/^[a-z][a-z0-9_-]{0,62}$/, 'a projection name: a-z, 0-9, _ and -');
/** A global log position, as a decimal string (positions are 64-bit). */
export const logPositionSchema = z.string().regex(/^[1-9]\d{0,19}$/, 'a log position: a positive decimal integer');
/** Why an operator parks or retries: kept in the log for the audit. */
export const parkReasonSchema = z.string().trim().min(1).max(1000);

/** The event that is parked, as the runner reported it (read from the log by the server, never from the caller). */
export const parkedEventRefSchema = z.strictObject({
  eventId: z.string().min(1).max(200),
  type: z.string().min(1).max(200),
  streamId: z.string().min(1).max(1000),
});
