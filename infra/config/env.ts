import { resolve } from 'node:path';
import { z } from 'zod';
import { limitSettings } from './limits.ts';

const url = (protocols: readonly string[]) =>
  z
    .url()
    .refine((value) => protocols.some((protocol) => value.startsWith(`${protocol}://`)), `must start with ${protocols.map((p) => `${p}://`).join(' or ')}`)
    .optional();

/** Every setting the platform reads, validated once at start. Adapters are chosen here, never in code. */
export const configSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  HOST: z.string().min(1).default('127.0.0.1'),
  DATA_DIR: z.string().min(1).default('./data'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Bootstrap admin key; when unset on an empty store, one is generated and printed once. */
  AGENCYGRID_ADMIN_KEY: z
    .string()
    .min(32, 'must be at least 32 characters')
    .max(512)
    .regex(/^[\x21-\x7e]+$/, 'printable ASCII without spaces')
    .refine((key) => new Set(key).size >= 12, 'too predictable: use at least 12 different characters (e.g. openssl rand -hex 32)')
    .optional(),
  /** EventStoreDB connection string (esdb://...); unset = embedded SQLite under DATA_DIR. */
  EVENTSTORE_URL: url(['esdb', 'esdb+discover', 'kurrentdb', 'kurrentdb+discover']),
  /** Used by the read side (MongoDB read models, Redis caches, NATS fan-out); validated now so a typo stops start-up. */
  MONGODB_URL: url(['mongodb', 'mongodb+srv']),
  REDIS_URL: url(['redis', 'rediss']),
  NATS_URL: url(['nats', 'tls', 'ws', 'wss']),
  /** FULL survives power loss per acknowledged command; NORMAL only a process crash. */
  SQLITE_SYNCHRONOUS: z.enum(['FULL', 'NORMAL']).default('FULL'),
  SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().min(0).max(600_000).default(10_000),
  ...limitSettings,
});
export type Config = z.infer<typeof configSchema> & { dataDir: string };

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/** Empty strings count as unset, so `FOO= npm start` behaves like no FOO. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ''));
  const parsed = configSchema.safeParse(present);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ');
    throw new ConfigError(`invalid configuration: ${problems}`);
  }
  return { ...parsed.data, dataDir: resolve(parsed.data.DATA_DIR) };
}
