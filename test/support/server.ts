import { pino } from 'pino';
import type { FastifyInstance } from 'fastify';
import { bootstrapAdminKey } from '../../api/auth/bootstrap-admin-key.ts';
import type { Platform } from '../../api/platform.ts';
import { startPlatform } from '../../bin/platform/start-platform.ts';
import { buildServer, type ServerOptions } from '../../api/server.ts';
import type { DocumentStore } from '../../infra/documents/port.ts';
import { loadConfig } from '../../infra/config/env.ts';
import type { ToolRunner } from '../../infra/tool-runners/port.ts';
import { tempStore, tempStorePath } from './pipeline.ts';

export const ADMIN_KEY = 'test-admin-key-0123456789abcdefghijklmnop';

export interface TestServer {
  app: FastifyInstance;
  platform: Platform;
  auth: { authorization: string };
  close(): Promise<void>;
}

export interface TestServerOptions {
  path?: string;
  /** The read-model store (default: in-memory SQLite). */
  docs?: DocumentStore;
  server?: ServerOptions;
  /** Extra environment for the config, e.g. NATS_URL. */
  env?: Record<string, string>;
  /** Runs the platform's tool calls (a test double, see tool-calls.ts); default: the platform's runners. */
  toolRunner?: ToolRunner;
}

/** The real server, in process, on a fresh embedded store (requests go through app.inject, no socket). */
export async function startTestServer(options: TestServerOptions = {}): Promise<TestServer> {
  const config = loadConfig({ AGENCYGRID_ADMIN_KEY: ADMIN_KEY, LOG_LEVEL: 'silent', ...options.env });
  const platform = await startPlatform(
    config,
    tempStore(options.path ?? tempStorePath()),
    pino({ level: 'silent' }),
    undefined,
    options.docs,
    undefined,
    options.toolRunner,
  );
  await bootstrapAdminKey(platform, ADMIN_KEY);
  const app = await buildServer(platform, options.server);
  await app.ready();
  return {
    app,
    platform,
    auth: { authorization: `Bearer ${ADMIN_KEY}` },
    async close() {
      await app.close();
      await platform.close();
    },
  };
}
