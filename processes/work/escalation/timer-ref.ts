import { z } from 'zod';
import type { SagaEvent } from '../../saga-runner.ts';

export const ESCALATION_TIMEOUT = 'escalation.timeout';

/** The ref this workflow schedules an escalation timer with (the timeout only goes into the reason). */
const escalationRefSchema = z.object({ jobId: z.string(), escalatedAt: z.string().optional(), timeoutMs: z.unknown() });

/** The ref an escalation timer was scheduled with, when a fired timer is one. */
export function escalationTimerRef(event: SagaEvent<'TimerFired'>): z.infer<typeof escalationRefSchema> | null {
  if (event.data.purpose !== ESCALATION_TIMEOUT) return null;
  const ref = escalationRefSchema.safeParse(event.data.ref);
  return ref.success ? ref.data : null;
}
