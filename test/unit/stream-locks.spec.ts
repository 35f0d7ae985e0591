import { describe, expect, it } from 'vitest';
import { StreamLocks } from '../../commands/stream-locks.ts';

describe('per-stream locks', () => {
  it('runs work on one stream one at a time, in arrival order, and other streams in parallel', async () => {
    const locks = new StreamLocks();
    const log: string[] = [];
    const step = (name: string, ms: number) => async () => {
      log.push(`start ${name}`);
      await new Promise((resolve) => setTimeout(resolve, ms)); // work that takes time, so overlap would show
      log.push(`end ${name}`);
      return name;
    };
    const results = await Promise.all([locks.run('a', step('a1', 20)), locks.run('a', step('a2', 1)), locks.run('b', step('b1', 5))]);
    expect(results).toEqual(['a1', 'a2', 'b1']);
    expect(log.indexOf('end a1')).toBeLessThan(log.indexOf('start a2'));
    expect(log.indexOf('start b1')).toBeLessThan(log.indexOf('end a1'));
    expect(locks.size).toBe(0);
  });

  it('releases the stream when the work fails', async () => {
    const locks = new StreamLocks();
    await expect(locks.run('a', async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(await locks.run('a', async () => 'next')).toBe('next');
    expect(locks.size).toBe(0);
  });
});
