import { bootstrapAdminKey } from '../api/auth/bootstrap-admin-key.ts';
import { startPlatform } from '../api/platform.ts';
import { buildServer } from '../api/server.ts';
import { loadConfig } from '../infra/config/env.ts';
import { openEventStore } from '../infra/eventstore/open.ts';
import { openDocumentStore } from '../infra/documents/open.ts';
import { openCache } from '../infra/cache/open.ts';
import { createLogger } from '../infra/logging/logger.ts';

/** `agencygrid serve`: the whole platform in one process, embedded adapters unless the environment names servers. */
export async function serve(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config.LOG_LEVEL);
  const { store, description } = await openEventStore(config);
  const { store: docs, description: readModels } = await openDocumentStore(config);
  const { cache, description: cacheDescription } = await openCache(config);
  const platform = await startPlatform(config, store, logger, undefined, docs, cache);

  const bootstrap = await bootstrapAdminKey(platform, config.AGENCYGRID_ADMIN_KEY);
  if (bootstrap.kind === 'generated') {
    // Shown once, on stdout only, never through the logger: this is the only copy of the secret.
    process.stdout.write(
      `\n  AgencyGrid bootstrap admin API key (shown once, store it now):\n\n    ${bootstrap.key}\n\n` +
        `  export AGENCYGRID_API_KEY='${bootstrap.key}'\n\n`,
    );
  } else if (bootstrap.kind === 'no-admin') {
    logger.warn(bootstrap.reason);
  } else {
    logger.info({ bootstrap: bootstrap.kind }, 'admin key ready');
  }

  const app = await buildServer(platform);
  await app.listen({ port: config.PORT, host: config.HOST });
  logger.info({ eventStore: description, readModels, cache: cacheDescription, dataDir: config.dataDir }, 'AgencyGrid is ready');

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down: draining in-flight commands');
    const deadline = setTimeout(() => {
      logger.error('shutdown timed out; exiting');
      process.exit(1);
    }, config.SHUTDOWN_TIMEOUT_MS);
    deadline.unref();
    try {
      await app.close();
      await platform.close();
      logger.info('stopped');
      process.exit(0);
    } catch (error) {
      logger.error({ err: error }, 'shutdown failed');
      process.exit(1);
    }
  };
  process.once('SIGTERM', () => void stop('SIGTERM'));
  process.once('SIGINT', () => void stop('SIGINT'));
}
