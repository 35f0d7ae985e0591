import { z } from 'zod';
import { logPositionSchema, parkReasonSchema, parkedEventRefSchema, projectionNameSchema } from './fields.ts';

export const parkProjectionEventSchema = z.object({
  type: z.literal('ParkProjectionEvent'),
  data: z.strictObject({ projection: projectionNameSchema, position: logPositionSchema, event: parkedEventRefSchema, reason: parkReasonSchema }),
});

/** Issued once a retry re-applied the parked event successfully: the projection no longer skips it. */
export const unparkProjectionEventSchema = z.object({
  type: z.literal('UnparkProjectionEvent'),
  data: z.strictObject({ projection: projectionNameSchema, position: logPositionSchema, reason: parkReasonSchema }),
});

export const projectionParkingCommandSchema = z.discriminatedUnion('type', [parkProjectionEventSchema, unparkProjectionEventSchema]);
export type ProjectionParkingCommand = z.infer<typeof projectionParkingCommandSchema>;
