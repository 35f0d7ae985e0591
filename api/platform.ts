import type { Logger } from 'pino';
import { createEventRegistry } from '../domain/events/catalog.ts';
import type { EventRegistry } from '../domain/events/registry.ts';
import { CommandPipeline } from '../commands/pipeline.ts';
import { governedCheck } from '../commands/governance/governed-check.ts';
import type { PreAppendCheck } from '../commands/pre-append-check.ts';
import { StreamLoader } from '../commands/stream-loader.ts';
import type { Config } from '../infra/config/env.ts';
import type { EventStore } from '../infra/eventstore/port.ts';
import { ApiKeyIndex } from '../projections/api-key-index.ts';
import { AssociationExpiryProcess } from '../processes/association-expiry.ts';
import type { DocumentStore } from '../infra/documents/port.ts';
import { SqliteDocumentStore } from '../infra/documents/sqlite.ts';
import { MemoryCache } from '../infra/cache/memory.ts';
import type { Cache } from '../infra/cache/port.ts';
import { readModelProjections } from '../projections/read-models/all.ts';
import { ProjectionRunner } from '../projections/runner.ts';

/** The running platform's parts, wired once. The API and the CLI both build on this. */
export interface Platform {
  config: Config;
  store: EventStore;
  registry: EventRegistry;
  loader: StreamLoader;
  pipeline: CommandPipeline;
  apiKeys: ApiKeyIndex;
  /** Read models (MongoDB or the embedded store), built by `projections`. */
  docs: DocumentStore;
  /** Hot-path cache (Redis or in-process); never the source of truth. */
  cache: Cache;
  projections: ProjectionRunner;
  logger: Logger;
  close(): Promise<void>;
}

export async function startPlatform(
  config: Config,
  store: EventStore,
  logger: Logger,
  check: (reader: StreamLoader) => PreAppendCheck = governedCheck,
  docs: DocumentStore = new SqliteDocumentStore({ path: ':memory:' }),
  cache: Cache = new MemoryCache(),
): Promise<Platform> {
  const registry = createEventRegistry();
  const loader = new StreamLoader(store, registry);
  const pipeline = new CommandPipeline({ store, loader, registry, check: check(loader) });
  const apiKeys = new ApiKeyIndex(store, registry);
  await apiKeys.start();
  const expiry = new AssociationExpiryProcess(store, registry, pipeline);
  expiry.start();
  const projections = new ProjectionRunner(store, docs, registry, readModelProjections, cache);
  await projections.start();
  return {
    config,
    store,
    registry,
    loader,
    pipeline,
    apiKeys,
    docs,
    cache,
    projections,
    logger,
    async close() {
      await expiry.stop();
      await pipeline.drain();
      await apiKeys.stop();
      await projections.stop();
      await docs.close();
      await cache.close();
      await store.close();
    },
  };
}
