import { z } from 'zod';
import type { EventDefinition } from '../events/registry.ts';
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

export const timerEventDefinitions = [
  { type: 'TimerScheduled', schemaVersion: 1, schema: timerScheduledData },
  { type: 'TimerCancelled', schemaVersion: 1, schema: timerCancelledData },
  { type: 'TimerFired', schemaVersion: 1, schema: timerFiredData },
] as const satisfies readonly EventDefinition[];

export const TIMER_EVENT_TYPES = timerEventDefinitions.map((definition) => definition.type);

export type TimerScheduled = { type: 'TimerScheduled'; data: z.infer<typeof timerScheduledData> };
export type TimerCancelled = { type: 'TimerCancelled'; data: z.infer<typeof timerCancelledData> };
export type TimerFired = { type: 'TimerFired'; data: z.infer<typeof timerFiredData> };
export type TimerEvent = TimerScheduled | TimerCancelled | TimerFired;
