import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';

/**
 * How long to wait before trying again: `firstMs` after the first failure, doubling after each further one, at most
 * `maxDoublings` times and at most `maxMs`, then jittered so that processes that failed together do not retry
 * together: `full` waits anywhere up to that ceiling, `half` between its half and it, `none` exactly it.
 */
export const backoffPolicySchema = z.object({
  firstMs: z.number().nonnegative(),
  /** No cap when absent: the caller bounds the number of tries instead. */
  maxMs: z.number().nonnegative().optional(),
  maxDoublings: z.number().int().nonnegative().optional(),
  jitter: z.enum(['none', 'full', 'half']),
});
export type BackoffPolicy = z.infer<typeof backoffPolicySchema>;

/** The wait before the next try after `failures` failures in a row (1 after the first). */
export function backoffDelay(policy: BackoffPolicy, failures: number, random: () => number = Math.random): number {
  const doublings = Math.min(failures - 1, policy.maxDoublings ?? Number.POSITIVE_INFINITY);
  const ceiling = Math.min(policy.firstMs * 2 ** doublings, policy.maxMs ?? Number.POSITIVE_INFINITY);
  switch (policy.jitter) {
    case 'none':
      return ceiling;
    case 'full':
      return random() * ceiling;
    case 'half':
      return ceiling / 2 + (random() * ceiling) / 2;
  }
}

/** Sleeps the policy's wait after `failures` failures; an abort (the caller stopping) ends the wait early, quietly. */
export async function sleepBackoff(policy: BackoffPolicy, failures: number, signal?: AbortSignal): Promise<void> {
  await sleep(backoffDelay(policy, failures), undefined, signal ? { signal } : {}).catch(() => undefined);
}
