import { z } from 'zod';
import type { Principal } from '../shared/principal.ts';
import type { JsonObject } from '../shared/json-value.ts';

export const timerStatusSchema = z.enum(['scheduled', 'cancelled', 'fired']);
export type TimerStatus = z.infer<typeof timerStatusSchema>;

export interface Timer {
  timerId: string;
  /** null: a platform timer, in no org. */
  orgId: string | null;
  status: TimerStatus;
  /** ISO-8601 instant (UTC). */
  dueAt: string;
  purpose: string;
  ref: JsonObject;
  scheduledBy: Principal;
  scheduledAt: string;
  cancelledAt: string | null;
  firedAt: string | null;
}

export type TimerState = Timer | null;
export const initialTimerState: TimerState = null;
