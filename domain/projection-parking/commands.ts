import { z } from 'zod';
import { commandUnion } from '../shared/command-schema.ts';
import { logPositionSchema, parkReasonSchema, parkedEventRefSchema, projectionNameSchema } from './fields.ts';

export const projectionParkingCommandSchema = commandUnion({
  ParkProjectionEvent: z.strictObject({ projection: projectionNameSchema, position: logPositionSchema, event: parkedEventRefSchema, reason: parkReasonSchema }),
  /** Issued once a retry re-applied the parked event successfully: the projection no longer skips it. */
  UnparkProjectionEvent: z.strictObject({ projection: projectionNameSchema, position: logPositionSchema, reason: parkReasonSchema }),
});
export type ProjectionParkingCommand = z.infer<typeof projectionParkingCommandSchema>;
