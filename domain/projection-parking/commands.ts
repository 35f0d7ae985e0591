import { z } from 'zod';
import { commandSchema } from '../shared/command-schema.ts';
import { logPositionSchema, parkReasonSchema, parkedEventRefSchema, projectionNameSchema } from './fields.ts';

export const parkProjectionEventSchema = commandSchema(
  'ParkProjectionEvent',
  z.strictObject({ projection: projectionNameSchema, position: logPositionSchema, event: parkedEventRefSchema, reason: parkReasonSchema }),
);

/** Issued once a retry re-applied the parked event successfully: the projection no longer skips it. */
export const unparkProjectionEventSchema = commandSchema(
  'UnparkProjectionEvent',
  z.strictObject({ projection: projectionNameSchema, position: logPositionSchema, reason: parkReasonSchema }),
);

export const projectionParkingCommandSchema = z.discriminatedUnion('type', [parkProjectionEventSchema, unparkProjectionEventSchema]);
export type ProjectionParkingCommand = z.infer<typeof projectionParkingCommandSchema>;
