import { randomUUID } from 'node:crypto';
import { orgAggregate } from '../commands/handlers/org.ts';
import { governedCheck } from '../commands/governance/governed-check.ts';
import { CommandPipeline } from '../commands/pipeline.ts';
import { StreamLoader } from '../commands/stream-loader.ts';
import { createEventRegistry } from '../domain/events/catalog.ts';
import { isAppError } from '../domain/shared/app-error.ts';
import { required } from '../domain/shared/required.ts';
import { SqliteDocumentStore } from '../infra/documents/sqlite.ts';
import { readModelProjections } from '../projections/read-models/all.ts';
import { ProjectionRunner } from '../projections/runner.ts';
import { benchAdmin, withTempStore } from './fixtures.ts';
import { emit, now, perSecond, progress, summarize } from './measure.ts';
import { LogConsumer } from '../infra/log-consumer/log-consumer.ts';

/**
 * The read side under a steady command load: how long after a command is acknowledged its effect is visible in
 * every read model (projection lag, end to end), and how fast a read model rebuilds from the log.
 */
export async function benchProjections(options: { commandsPerSecond: number; seconds: number; concurrency: number }): Promise<void> {
  await withTempStore('projections', {}, async (store) => {
    const registry = createEventRegistry();
    const loader = new StreamLoader(store, registry);
    const pipeline = new CommandPipeline({ store, loader, registry, check: governedCheck });
    const docs = new SqliteDocumentStore({ path: ':memory:' });
    const runner = new ProjectionRunner(new LogConsumer(store), docs, registry, readModelProjections);
    await runner.start();

    const orgIds: string[] = [];
    const lags: number[] = [];
    const total = options.commandsPerSecond * options.seconds;
    const intervalMs = 1000 / options.commandsPerSecond;
    const started = now();
    progress(`projections: ${total} governed org commands at ${options.commandsPerSecond}/s, measuring the lag of every read model`);
    let issued = 0;
    await Promise.all(
      Array.from({ length: options.concurrency }, async () => {
        while (issued < total) {
          const index = issued;
          issued += 1;
          // A steady rate, not a flood: the lag of a system at work, not of one saturated.
          const due = started + index * intervalMs;
          const wait = due - now();
          if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
          const register = orgIds.length < 50 || index % 3 === 0;
          const orgId = register ? randomUUID() : required(orgIds[index % orgIds.length], 'it registers until there are 50 orgs');
          const command = register
            ? { type: 'RegisterOrg', data: { orgId, name: `Bench ${index}`, slug: `bench-${index}-${orgId.slice(0, 6)}` } }
            : { type: 'UpdateOrgMetadata', data: { orgId, description: `round ${index}` } };
          const result = await pipeline.execute(orgAggregate, command, { commandId: randomUUID(), principal: benchAdmin });
          if (isAppError(result) || result.position === null) throw new Error(`command failed: ${JSON.stringify(result)}`);
          if (register) orgIds.push(orgId);
          const acknowledged = now();
          await runner.waitFor(result.position, 10_000);
          lags.push(now() - acknowledged);
        }
      }),
    );
    const lag = summarize(lags);
    const context = {
      commands: lags.length,
      commandsPerSecond: options.commandsPerSecond,
      projections: readModelProjections.length,
      readModels: 'embedded SQLite',
    };
    emit('projections.lag.p50', lag.p50, 'ms', { ...context, per: 'acknowledged command -> visible in every read model' });
    emit('projections.lag.p99', lag.p99, 'ms', context);

    const head = await store.headPosition();
    let rebuildEvents = 0;
    const rebuildStarted = now();
    for (const name of runner.names()) {
      await runner.rebuild(name, (step) => {
        rebuildEvents = Math.max(rebuildEvents, step.events);
      });
    }
    const rebuildMs = now() - rebuildStarted;
    emit('projections.rebuild.throughput', perSecond(Number(head) * runner.names().length, rebuildMs), 'events/s', {
      events: Number(head),
      projections: runner.names().length,
      per: 'event applied to one projection (events x projections / time)',
    });
    await runner.stop();
    await docs.close();
  });
}
