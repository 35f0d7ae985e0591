import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { issueBootstrapKey, registerOperatorKey } from '../../api/auth/bootstrap-admin-key.ts';
import type { Platform } from '../../api/platform.ts';
import { startPlatform } from '../platform/start-platform.ts';
import { buildServer } from '../../api/server.ts';
import { loadConfig, type Config } from '../../infra/config/env.ts';
import { openEventStore } from '../../infra/eventstore/open.ts';
import { openDocumentStore } from '../../infra/documents/open.ts';
import { openCache } from '../../infra/cache/open.ts';
import { createLogger } from '../../infra/logging/logger.ts';
import { CliFailure, EXIT_FAILURE, EXIT_OK } from '../cli/exit-status.ts';
import { listenFailure } from './listen-failure.ts';

/**
 * `agencygrid serve`: the whole platform in one process, embedded adapters unless the environment names servers.
 * Resolves with the exit status once the server has stopped (SIGTERM, SIGINT).
 */
export async function serve(): Promise<number> {
  const config = loadConfig();
  const logger = createLogger(config.LOG_LEVEL);
  const { store, description } = await openEventStore(config);
  const { store: docs, description: readModels } = await openDocumentStore(config);
  const { cache, description: cacheDescription } = await openCache(config);
  const platform = await startPlatform(config, store, logger, undefined, docs, cache);

  // The operator's own key is known to them already, so registering it uses nothing up; done before listening, the
  // first request that presents it is answered.
  if (config.AGENCYGRID_ADMIN_KEY) {
    const outcome = await registerOperatorKey(platform, config.AGENCYGRID_ADMIN_KEY);
    logger.info({ bootstrap: outcome.kind }, 'admin key ready');
  }

  const app = await buildServer(platform);
  try {
    await app.listen({ port: config.PORT, host: config.HOST });
  } catch (error) {
    await closeWithin(config, app, platform, logger);
    const reason = listenFailure(error, config.PORT, config.HOST);
    throw reason === null ? error : new CliFailure(reason);
  }
  const shutdown = stopOnSignal(config, app, platform, logger);

  if (!config.AGENCYGRID_ADMIN_KEY) {
    try {
      await printBootstrapKey(platform, logger);
    } catch (error) {
      // A signal during the issuing closed the store under it: that is a stop, not a failure.
      if (shutdown.started()) return shutdown.stopped;
      logger.error({ err: error }, 'could not issue the bootstrap admin key; stopping');
      await closeWithin(config, app, platform, logger);
      return EXIT_FAILURE;
    }
  }
  logger.info({ eventStore: description, readModels, cache: cacheDescription, dataDir: config.dataDir }, 'AgencyGrid is ready');
  return shutdown.stopped;
}

/**
 * Only once the server listens: a start that dies before (a taken port, an unreachable store) leaves the store
 * without a key, so the next start generates one. The key is stored before it is printed: a crash between the two
 * loses it (recover with `agencygrid admin-key`), where the other order could print a key that never worked.
 */
async function printBootstrapKey(platform: Platform, logger: Logger): Promise<void> {
  const bootstrap = await issueBootstrapKey(platform);
  if (bootstrap.kind === 'generated') {
    // Shown once, on stdout only, never through the logger: this is the only copy of the secret.
    process.stdout.write(
      `\n  AgencyGrid bootstrap admin API key (shown once, store it now):\n\n    ${bootstrap.key}\n\n` + `  export AGENCYGRID_API_KEY='${bootstrap.key}'\n\n`,
    );
  } else if (bootstrap.kind === 'no-admin') {
    logger.warn(bootstrap.reason);
  } else {
    logger.info({ bootstrap: bootstrap.kind }, 'admin key ready');
  }
}

/** Drains on SIGTERM or SIGINT; resolves with the exit status once everything is closed. */
function stopOnSignal(config: Config, app: FastifyInstance, platform: Platform, logger: Logger): { stopped: Promise<number>; started(): boolean } {
  let stopping = false;
  const stopped = new Promise<number>((resolve) => {
    const stop = async (signal: string) => {
      if (stopping) return;
      stopping = true;
      logger.info({ signal }, 'shutting down: draining in-flight commands');
      const closed = await closeWithin(config, app, platform, logger);
      if (closed) logger.info('stopped');
      resolve(closed ? EXIT_OK : EXIT_FAILURE);
    };
    process.once('SIGTERM', () => void stop('SIGTERM'));
    process.once('SIGINT', () => void stop('SIGINT'));
  });
  return { stopped, started: () => stopping };
}

/** Closes the server and the platform; past SHUTDOWN_TIMEOUT_MS the process exits at once with status 1. */
async function closeWithin(config: Config, app: FastifyInstance, platform: Platform, logger: Logger): Promise<boolean> {
  const deadline = setTimeout(() => {
    logger.error('shutdown timed out; exiting');
    process.exit(EXIT_FAILURE);
  }, config.SHUTDOWN_TIMEOUT_MS);
  deadline.unref();
  try {
    await app.close();
    await platform.close();
    return true;
  } catch (error) {
    logger.error({ err: error }, 'shutdown failed');
    return false;
  } finally {
    clearTimeout(deadline);
  }
}
