import { z } from 'zod';

const count = (min: number, max: number, fallback: number) => z.coerce.number().int().min(min).max(max).default(fallback);

/**
 * The caps on what one caller can make the server do (issue 9, sections 3 and 4): GraphQL query cost and answer size,
 * concurrent streams, request rates. Part of the one validated config (env.ts); documented in the README.
 */
export const limitSettings = {
  /** Field depth of a GraphQL operation, fragments expanded (a spread adds no level, its fields do). */
  GRAPHQL_MAX_DEPTH: count(2, 64, 12),
  /** Aliased fields in one GraphQL operation, fragments expanded. */
  GRAPHQL_MAX_ALIASES: count(0, 1000, 30),
  /** Estimated objects one GraphQL operation may resolve: a list multiplies what it selects by its `first`. */
  GRAPHQL_MAX_COST: count(10, 1_000_000, 10_000),
  /** Lexical tokens in one GraphQL document (refused before it is parsed into a tree). */
  GRAPHQL_MAX_TOKENS: count(100, 100_000, 5_000),
  /** Bytes of one GraphQL answer (JSON); a larger one is replaced by a RESPONSE_TOO_LARGE error. */
  GRAPHQL_MAX_RESPONSE_BYTES: count(1024, 256 * 1024 * 1024, 4 * 1024 * 1024),
  /** Open streams (SSE /events/stream, GraphQL subscriptions, /agent/inbox) per principal. */
  STREAMS_PER_PRINCIPAL: count(1, 10_000, 8),
  /** Open streams of every principal together, per server process. */
  STREAMS_TOTAL: count(1, 1_000_000, 512),
  /** The window the request rates below are counted in. */
  RATE_LIMIT_WINDOW_MS: count(1000, 3_600_000, 60_000),
  /** Reads (GET, HEAD, GraphQL) per principal per window (per client IP on public routes; a request with an unknown key is refused 401 before it is counted). */
  RATE_LIMIT_READS: count(1, 10_000_000, 2400),
  /** Commands (POST, PUT, PATCH, DELETE outside /graphql) per principal per window. */
  RATE_LIMIT_COMMANDS: count(1, 10_000_000, 1200),
  /** Namespace of the rate counters in Redis (used when REDIS_URL is set): instances sharing it count together. */
  RATE_LIMIT_REDIS_PREFIX: z.string().min(1).max(200).default('agencygrid:rate:'),
  /** Requests one agent may send on the bus (agencygrid.work.*) per window. */
  AGENT_BUS_RATE_LIMIT: count(1, 10_000_000, 1200),
};
