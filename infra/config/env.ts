import { resolve } from 'node:path';
import { z } from 'zod';
import { limitSettings } from './limits.ts';
import { isListenHost } from './listen-host.ts';

const url = (protocols: readonly string[]) =>
  z
    .url()
    .refine((value) => protocols.some((protocol) => value.startsWith(`${protocol}://`)), `must start with ${protocols.map((p) => `${p}://`).join(' or ')}`)
    .optional();

/** Every setting the platform reads, validated once at start. Adapters are chosen here, never in code. */
export const configSchema = z
  .object({
    PORT: z.coerce.number().int().min(0).max(65535).default(8080),
    HOST: z
      .string()
      .min(1)
      .refine(isListenHost, {
        error: (issue) => `'${String(issue.input)}' is neither an IP address (127.0.0.1, ::1, 0.0.0.0 for every interface) nor a host name (localhost)`,
      })
      .default('127.0.0.1'),
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
    /** A Redis call (cache or rate counter) with no answer after this long counts as Redis unavailable: the caller falls back to the read model, a counter lets the request through. */
    CACHE_TIMEOUT_MS: z.coerce.number().int().min(10).max(10_000).default(250),
    /** After Redis was found unavailable, cache and rate-counter calls fail at once for this long before one call probes it again. */
    CACHE_RETRY_AFTER_MS: z.coerce.number().int().min(10).max(60_000).default(1000),
    NATS_URL: url(['nats', 'tls', 'ws', 'wss']),
    /**
     * The bus secured (deploy/nats, `agencygrid bus-setup`): the platform's own credentials (a `.creds` file) and the
     * AGENTS account's seed, with which it issues each agent's bus credentials for NATS_AGENT_CREDENTIALS_TTL_MS.
     * Both or neither, and only with NATS_URL; see README "Running the bus securely".
     */
    NATS_CREDS_FILE: z.string().min(1).optional(),
    NATS_AGENT_ISSUER_SEED_FILE: z.string().min(1).optional(),
    NATS_AGENT_CREDENTIALS_TTL_MS: z.coerce.number().int().min(5_000).max(86_400_000).default(600_000),
    /** FULL survives power loss per acknowledged command; NORMAL only a process crash. */
    SQLITE_SYNCHRONOUS: z.enum(['FULL', 'NORMAL']).default('FULL'),
    /** Positions of `$all` one read of the embedded store covers at most: bounds a filtered read's work per query. */
    SQLITE_SCAN_WINDOW: z.coerce.number().int().min(512).max(1_000_000).default(8192),
    SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().min(0).max(600_000).default(10_000),
    /** Nesting of objects and arrays in a request body (refused at parse) and in any command (refused by the pipeline). */
    JSON_MAX_DEPTH: z.coerce.number().int().min(8).max(1000).default(64),
    /** UTF-16 code units of any one string in a command (each field's own, smaller cap still applies). */
    INPUT_MAX_STRING_LENGTH: z.coerce
      .number()
      .int()
      .min(1024)
      .max(1024 * 1024)
      .default(65_536),
    /** UTF-16 code units of any one object key in a command (metadata, free JSON). */
    INPUT_MAX_KEY_LENGTH: z.coerce.number().int().min(16).max(4096).default(256),
    /** UTF-8 bytes of a whole command, over HTTP, the bus or from a process. */
    COMMAND_MAX_BYTES: z.coerce
      .number()
      .int()
      .min(64 * 1024)
      .max(16 * 1024 * 1024)
      .default(1024 * 1024),
    /** `true`: GET /metrics answers without a key (a scraper on a private network); otherwise it needs `platform.metrics.read`. */
    METRICS_PUBLIC: z.stringbool().default(false),
    /**
     * The programs tools may start (executables, stdio MCP servers), comma-separated: absolute paths, or directories
     * ending in `/`. None by default: a started program runs as the platform's user beside its data, so this is the
     * operator's choice, never an org's.
     */
    TOOL_COMMANDS: z
      .string()
      .transform((value) =>
        value
          .split(',')
          .map((entry) => entry.trim())
          .filter((entry) => entry !== ''),
      )
      .pipe(
        z
          .array(
            z
              .string()
              .regex(/^\/(?:[^/\0]+\/)*[^/\0]*$/, 'an absolute path (a directory ends in /)')
              .refine((entry) => !entry.split('/').some((segment) => segment === '.' || segment === '..'), 'no . or .. segments'),
          )
          .max(200),
      )
      .default([]),
    ...limitSettings,
  })
  .superRefine((config, context) => {
    // Half a secured bus is an open one: the gateway would trust request subjects no server permission protects.
    if ((config.NATS_CREDS_FILE === undefined) !== (config.NATS_AGENT_ISSUER_SEED_FILE === undefined)) {
      context.addIssue({ code: 'custom', path: ['NATS_CREDS_FILE'], message: 'set NATS_CREDS_FILE and NATS_AGENT_ISSUER_SEED_FILE together' });
    }
    if (config.NATS_CREDS_FILE !== undefined && config.NATS_URL === undefined) {
      context.addIssue({ code: 'custom', path: ['NATS_URL'], message: 'NATS_CREDS_FILE needs NATS_URL' });
    }
  });
export type Config = z.infer<typeof configSchema> & { dataDir: string };

/** The limits every command is held to (see commands/input-limits.ts), from the settings. */
export function inputLimitsOf(config: Config): { maxDepth: number; maxStringLength: number; maxKeyLength: number; maxBytes: number } {
  return {
    maxDepth: config.JSON_MAX_DEPTH,
    maxStringLength: config.INPUT_MAX_STRING_LENGTH,
    maxKeyLength: config.INPUT_MAX_KEY_LENGTH,
    maxBytes: config.COMMAND_MAX_BYTES,
  };
}

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
