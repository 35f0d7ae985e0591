import { z } from 'zod';
import { version1Definitions, type EventUnion } from '../events/registry.ts';
import { principalSchema } from '../shared/principal.ts';
import { logPositionSchema, parkedEventRefSchema, projectionNameSchema } from './fields.ts';

const projectionEventParkedData = z.object({
  projection: projectionNameSchema,
  position: logPositionSchema,
  event: parkedEventRefSchema,
  reason: z.string(),
  parkedBy: principalSchema,
  parkedAt: z.iso.datetime(),
});

const projectionEventUnparkedData = z.object({
  projection: projectionNameSchema,
  position: logPositionSchema,
  reason: z.string(),
  unparkedBy: principalSchema,
  unparkedAt: z.iso.datetime(),
});

export const projectionParkingEventDefinitions = version1Definitions({
  ProjectionEventParked: projectionEventParkedData,
  ProjectionEventUnparked: projectionEventUnparkedData,
});

export const PROJECTION_PARKING_EVENT_TYPES = projectionParkingEventDefinitions.map((definition) => definition.type);

export type ProjectionEventParked = Extract<EventUnion<typeof projectionParkingEventDefinitions>, { type: 'ProjectionEventParked' }>;
export type ProjectionEventUnparked = Extract<EventUnion<typeof projectionParkingEventDefinitions>, { type: 'ProjectionEventUnparked' }>;
export type ProjectionParkingEvent = EventUnion<typeof projectionParkingEventDefinitions>;

/** One stream per projection: its parked events, and who parked and unparked them, in order. */
export const projectionParkingStream = (projection: string) => `projection-${projection}`;
