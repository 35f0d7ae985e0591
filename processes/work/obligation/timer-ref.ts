import { z } from 'zod';
import type { SagaEvent } from '../../saga-runner.ts';

export const OBLIGATION_DUE = 'contract.obligation';

/** The ref this workflow schedules an obligation's timer with. */
const obligationRefSchema = z.object({ contractId: z.string(), obligationId: z.string(), dueAt: z.string() });

/** The ref an obligation timer was scheduled with, when a fired timer is one. */
export function obligationTimerRef(event: SagaEvent<'TimerFired'>): z.infer<typeof obligationRefSchema> | null {
  if (event.data.purpose !== OBLIGATION_DUE) return null;
  const ref = obligationRefSchema.safeParse(event.data.ref);
  return ref.success ? ref.data : null;
}
