import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.spec.ts'],
    testTimeout: 20_000,
    hookTimeout: 30_000,
    pool: 'forks',
    // Most files wait on I/O (servers, buses, timers): on a 2-core CI machine vitest's default (cores - 1) runs them
    // one at a time. Two at a time; tests wait for conditions, never for a machine-speed guess.
    maxWorkers: 2,
  },
});
