import { z } from 'zod';
import { commandUnion } from '../shared/command-schema.ts';
import { instantInputSchema } from '../job/fields.ts';
import { uuidSchema } from '../shared/ids.ts';
import { timerPurposeSchema, timerRefSchema } from './fields.ts';

/**
 * Every timer command names the timer's org (null for a platform timer), so the pipeline decides the policy of that
 * org before the timer's stream is read; the decider refuses a command whose org is not the timer's (as
 * TIMER_NOT_FOUND).
 */
const timerRef = { timerId: uuidSchema, orgId: uuidSchema.nullable() };

export const timerCommandSchema = commandUnion({
  ScheduleTimer: z.strictObject({
    ...timerRef,
    /** When the timer is due. A past instant is allowed: the timer is simply due at once. */
    dueAt: instantInputSchema,
    purpose: timerPurposeSchema,
    ref: timerRefSchema,
  }),
  CancelTimer: z.strictObject(timerRef),
  FireTimer: z.strictObject(timerRef),
});
export type TimerCommand = z.infer<typeof timerCommandSchema>;
export type TimerCommandType = TimerCommand['type'];
