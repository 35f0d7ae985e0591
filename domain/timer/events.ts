import { z } from 'zod';
import { version1Definitions, type EventUnion } from '../events/registry.ts';
import { principalSchema } from '../shared/principal.ts';
import { timerPurposeSchema, timerRefSchema } from './fields.ts';

const timerRef = { timerId: z.uuid(), orgId: z.uuid().nullable() };

const timerScheduledData = z.object({
  ...timerRef,
  dueAt: z.iso.datetime(),
  purpose: timerPurposeSchema,
  ref: timerRefSchema,
  scheduledBy: principalSchema,
  scheduledAt: z.iso.datetime(),
});

const timerCancelledData = z.object({
  ...timerRef,
  cancelledBy: principalSchema,
  cancelledAt: z.iso.datetime(),
});

const timerFiredData = z.object({
  ...timerRef,
  purpose: timerPurposeSchema,
  ref: timerRefSchema,
  /** When it was due; `firedAt - dueAt` is how late it fired (e.g. after the platform was down). */
  dueAt: z.iso.datetime(),
  firedAt: z.iso.datetime(),
});

export const timerEventDefinitions = version1Definitions({
  TimerScheduled: timerScheduledData,
  TimerCancelled: timerCancelledData,
  TimerFired: timerFiredData,
});

export const TIMER_EVENT_TYPES = timerEventDefinitions.map((definition) => definition.type);

export type TimerScheduled = Extract<EventUnion<typeof timerEventDefinitions>, { type: 'TimerScheduled' }>;
export type TimerCancelled = Extract<EventUnion<typeof timerEventDefinitions>, { type: 'TimerCancelled' }>;
export type TimerFired = Extract<EventUnion<typeof timerEventDefinitions>, { type: 'TimerFired' }>;
export type TimerEvent = EventUnion<typeof timerEventDefinitions>;
