import { describe, expect, it } from 'vitest';
import { backoffDelay, backoffPolicySchema } from '../../infra/retry/backoff.ts';
import * as policies from '../../infra/retry/policies.ts';

const waits = (policy: Parameters<typeof backoffDelay>[0], count: number, random = () => 1) =>
  Array.from({ length: count }, (_, index) => backoffDelay(policy, index + 1, random));

describe('a backoff policy', () => {
  it('doubles from its first wait up to its cap, or for as many doublings as it allows', () => {
    expect(waits({ firstMs: 10, maxMs: 50, jitter: 'none' }, 5)).toEqual([10, 20, 40, 50, 50]);
    expect(waits({ firstMs: 10, maxDoublings: 2, jitter: 'none' }, 5)).toEqual([10, 20, 40, 40, 40]);
  });

  it('jitters fully (anywhere up to the ceiling) or by half (between its half and it)', () => {
    expect(backoffDelay({ firstMs: 8, jitter: 'full' }, 2, () => 0)).toBe(0);
    expect(backoffDelay({ firstMs: 8, jitter: 'full' }, 2, () => 0.5)).toBe(8);
    expect(backoffDelay({ firstMs: 8, jitter: 'half' }, 2, () => 0)).toBe(8);
    expect(backoffDelay({ firstMs: 8, jitter: 'half' }, 2, () => 1)).toBe(16);
  });

  it('is checked by its schema: a negative wait is no policy', () => {
    expect(backoffPolicySchema.safeParse({ firstMs: -1, jitter: 'none' }).success).toBe(false);
    expect(backoffPolicySchema.safeParse({ firstMs: 1, jitter: 'sometimes' }).success).toBe(false);
  });
});

describe("the platform's policies keep the bounds each backoff had", () => {
  it('a contended append waits up to 2^attempt ms, fully jittered, uncapped (the attempts bound it)', () => {
    expect(waits(policies.contendedAppend, 8)).toEqual([2, 4, 8, 16, 32, 64, 128, 256]);
    expect(backoffDelay(policies.contendedAppend, 3, () => 0)).toBe(0);
  });

  it('an outage wait doubles from its minimum to its maximum, and never below the minimum', () => {
    expect(waits(policies.dependencyOutage(100, 2_000), 7)).toEqual([100, 200, 400, 800, 1600, 2000, 2000]);
    expect(waits(policies.dependencyOutage(300, 100), 2)).toEqual([300, 300]);
  });

  it('a failed saga step doubles from its first wait, at most 8 times and at most 10 s', () => {
    expect(waits(policies.sagaStep(200), 8)).toEqual([200, 400, 800, 1600, 3200, 6400, 10_000, 10_000]);
    expect(waits(policies.sagaStep(1), 12).slice(8)).toEqual([256, 256, 256, 256]);
  });

  it('the fan-out and the cache reconnect on capped doubling', () => {
    expect(waits(policies.fanoutResubscribe(100, 5_000), 7)).toEqual([100, 200, 400, 800, 1600, 3200, 5000]);
    expect(waits(policies.cacheReconnect, 6)).toEqual([100, 200, 400, 800, 1600, 2000]);
    expect(waits(policies.rateLimitReconnect, 7)).toEqual([200, 400, 800, 1600, 3200, 3200, 3200]);
  });

  it("an agent's inbox reconnects half-to-full jittered, capped", () => {
    expect(waits(policies.inboxReconnect(500, 30_000), 8)).toEqual([500, 1000, 2000, 4000, 8000, 16_000, 30_000, 30_000]);
    expect(backoffDelay(policies.inboxReconnect(500, 30_000), 1, () => 0)).toBe(250);
  });

  it("a failed task attempt's retry is due its first wait doubled per attempt, without jitter", () => {
    expect(waits(policies.taskRetry(1_000), 4, Math.random)).toEqual([1000, 2000, 4000, 8000]);
  });
});
