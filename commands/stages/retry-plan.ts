/**
 * Why an attempt ended without an answer, so the command is decided again on a fresh load:
 * - `lost-race`: another command appended between our load and our append;
 * - `stale-refusal`: the decider refused on a state another process has since changed (a refusal is final only
 *   when decided on the stream as it still is);
 * - `appended-elsewhere`: the store answered idempotently for a concurrent copy of this command;
 * - `own-copy-won`: the client's expected revision no longer holds, but the winner was this very command.
 */
export type RetryReason = 'lost-race' | 'stale-refusal' | 'appended-elsewhere' | 'own-copy-won';

export interface RetryPlan {
  /** Counts against the pipeline's attempts: past them the command is refused as CONCURRENCY_CONFLICT. */
  bounded: boolean;
  /** Waits a jittered, growing delay first, so racing processes spread out. */
  backoff: boolean;
}

/**
 * The last two end on the next load (it shows the command's own record), so they neither count nor wait; a stale
 * refusal is read again at once, since the state it lost to is already there.
 */
export const RETRY_PLANS: Readonly<Record<RetryReason, RetryPlan>> = {
  'lost-race': { bounded: true, backoff: true },
  'stale-refusal': { bounded: true, backoff: false },
  'appended-elsewhere': { bounded: false, backoff: false },
  'own-copy-won': { bounded: false, backoff: false },
};
