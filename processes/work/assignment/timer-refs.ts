import { z } from 'zod';
import type { SagaEvent } from '../../saga-runner.ts';

export const AUCTION_CLOSE = 'auction.close';
export const SIGNATURE_DUE = 'contract.signature';

/** The refs this workflow schedules its timers with, by purpose (a timeout only goes into a reason). */
const auctionCloseRefSchema = z.object({ jobId: z.string(), round: z.number() });
const signatureDueRefSchema = z.object({ contractId: z.string(), timeoutMs: z.unknown() });

/** A fired timer of the assignment workflow, by what it was set for, with the ref it was scheduled with. */
export type AssignmentTimer =
  | ({ purpose: typeof AUCTION_CLOSE } & z.infer<typeof auctionCloseRefSchema>)
  | ({ purpose: typeof SIGNATURE_DUE } & z.infer<typeof signatureDueRefSchema>);

export function assignmentTimerOf(event: SagaEvent<'TimerFired'>): AssignmentTimer | null {
  const { purpose, ref } = event.data;
  if (purpose === AUCTION_CLOSE) {
    const parsed = auctionCloseRefSchema.safeParse(ref);
    return parsed.success ? { purpose, ...parsed.data } : null;
  }
  if (purpose === SIGNATURE_DUE) {
    const parsed = signatureDueRefSchema.safeParse(ref);
    return parsed.success ? { purpose, ...parsed.data } : null;
  }
  return null;
}
