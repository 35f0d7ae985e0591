import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { bootstrapAdminKey } from '../api/auth/bootstrap-admin-key.ts';
import { startPlatform } from '../bin/platform/start-platform.ts';
import { buildServer } from '../api/server.ts';
import { orgAggregate } from '../commands/handlers/org.ts';
import { governedCheck } from '../commands/governance/governed-check.ts';
import { CommandPipeline } from '../commands/pipeline.ts';
import { StreamLoader } from '../commands/stream-loader.ts';
import { createEventRegistry } from '../domain/events/catalog.ts';
import { isAppError } from '../domain/shared/app-error.ts';
import { loadConfig } from '../infra/config/env.ts';
import { SqliteEventStore } from '../infra/eventstore/sqlite.ts';
import { benchAdmin } from './fixtures.ts';
import { emit, now, progress, runQueue, summarize } from './measure.ts';

export interface LogSizeOptions {
  /** Events in the log before the measured commands (one store per size). */
  sizes: readonly number[];
  /** Orgs the seeded commands (and then the measured ones) act on. */
  orgs: number;
  /** Measured commands per size, one at a time, over HTTP. */
  commands: number;
}

const ADMIN_KEY = 'bench-admin-key-0123456789abcdefghijklmnopq';

/**
 * Whether a command's cost depends on how long the log is: the same governed org update over HTTP (app.inject, the
 * whole server: auth, pipeline, policy, append, and every consumer of the log running: projections, sagas, timers,
 * fan-out, API-key index) on a log of each size. Latency is a median of sequential commands; the store's own cost
 * counters (positions its `$all` reads and subscriptions scanned, per command) say the same without timing noise.
 */
export async function benchCommandLatencyByLogSize(options: LogSizeOptions): Promise<void> {
  const figures: Array<{ size: number; p50: number }> = [];
  for (const size of options.sizes) figures.push(await measureAt(size, options));
  const [smallest, largest] = [figures[0], figures.at(-1)];
  if (smallest && largest && smallest !== largest) {
    emit('log-size.update.p50.ratio', largest.p50 / smallest.p50, 'ratio', {
      per: `p50 at ${largest.size} events / p50 at ${smallest.size} events`,
      target: 'within 20% (<= 1.2)',
    });
  }
}

async function measureAt(size: number, options: LogSizeOptions): Promise<{ size: number; p50: number }> {
  const dir = await mkdtemp(join(tmpdir(), 'agencygrid-bench-logsize-'));
  const path = join(dir, 'events.db');
  try {
    const orgIds = await seed(path, size, options.orgs);
    const store = new SqliteEventStore({ path });
    const config = loadConfig({ AGENCYGRID_ADMIN_KEY: ADMIN_KEY, LOG_LEVEL: 'silent', DATA_DIR: dir });
    const platform = await startPlatform(config, store, pino({ level: 'silent' }));
    try {
      await bootstrapAdminKey(platform, ADMIN_KEY);
      const app = await buildServer(platform);
      await app.ready();
      try {
        const head = await store.headPosition();
        if (!(await platform.projections.waitFor(head, 120_000))) throw new Error('projections did not catch up');
        if (!(await platform.work.settled(head, 120_000))) throw new Error('sagas did not catch up');
        const update = async (index: number, label: string): Promise<number> => {
          const orgId = orgIds[index % orgIds.length] ?? '';
          const started = now();
          const reply = await app.inject({
            method: 'POST',
            url: `/orgs/${orgId}/metadata`,
            headers: { authorization: `Bearer ${ADMIN_KEY}` },
            payload: { description: `measured ${label} ${index}` },
          });
          const elapsed = now() - started;
          if (reply.statusCode !== 200) throw new Error(`update answered ${reply.statusCode}: ${reply.body}`);
          return elapsed;
        };
        // Warm-up: the JIT, statements, caches; and the consumers settle after the start-up catch-up.
        for (let index = 0; index < orgIds.length * 2; index += 1) await update(index, 'warm-up');
        const before = store.readCosts();
        const latencies: number[] = [];
        for (let index = 0; index < options.commands; index += 1) latencies.push(await update(index, 'measured'));
        // The consumers' reads of the commands' events belong to the commands' cost.
        const last = await store.headPosition();
        await platform.projections.waitFor(last, 10_000);
        await platform.work.settled(last, 10_000);
        const after = store.readCosts();
        const latency = summarize(latencies);
        const context = {
          events: Number(head),
          commands: options.commands,
          orgs: options.orgs,
          command: 'UpdateOrgMetadata over HTTP (governed)',
          consumers: 'all running',
        };
        emit(`log-size.${size}.update.p50`, latency.p50, 'ms', context);
        emit(`log-size.${size}.update.mean`, latency.mean, 'ms', context);
        emit(`log-size.${size}.update.p99`, latency.p99, 'ms', context);
        emit(`log-size.${size}.positions-scanned-per-command`, (after.positionsScanned - before.positionsScanned) / options.commands, 'positions', {
          ...context,
          per: 'positions of the log covered by reads and subscriptions of $all, per command',
        });
        progress(`log-size: ${size} events: p50 ${latency.p50.toFixed(2)} ms`);
        return { size, p50: latency.p50 };
      } finally {
        await app.close();
      }
    } finally {
      await platform.close();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Governed org commands through the pipeline (no server, no consumers) until the log holds `size` events. */
async function seed(path: string, size: number, orgCount: number): Promise<string[]> {
  const store = new SqliteEventStore({ path, synchronous: 'NORMAL' });
  try {
    const registry = createEventRegistry();
    const pipeline = new CommandPipeline({ store, loader: new StreamLoader(store, registry), registry, check: governedCheck });
    const orgIds = Array.from({ length: orgCount }, () => randomUUID());
    const execute = async (command: unknown) => {
      const result = await pipeline.execute(orgAggregate, command, { commandId: randomUUID(), principal: benchAdmin });
      if (isAppError(result)) throw new Error(`seeding failed: ${result.code} ${result.message}`);
    };
    await runQueue(orgIds.length, 16, Number.POSITIVE_INFINITY, async (index) => {
      const orgId = orgIds[index] ?? '';
      await execute({ type: 'RegisterOrg', data: { orgId, name: `Org ${index}`, slug: `logsize-${index}-${orgId.slice(0, 8)}` } });
    });
    progress(`log-size: seeding ${size} events`);
    let round = 0;
    for (let head = await store.headPosition(); head < BigInt(size); head = await store.headPosition()) {
      // Each governed update appends two events (its DecisionRecorded and the change): stop close to `size`.
      const batch = Math.min(2_000, Math.ceil(Number(BigInt(size) - head) / 2));
      await runQueue(batch, 32, Number.POSITIVE_INFINITY, async (index) => {
        const orgId = orgIds[(round * batch + index) % orgIds.length] ?? '';
        await execute({ type: 'UpdateOrgMetadata', data: { orgId, description: `seed ${round}.${index}` } });
      });
      round += 1;
    }
    return orgIds;
  } finally {
    await store.close();
  }
}
