import type { FastifyRequest } from 'fastify';
import { appError, isAppError, type AppError } from '../../domain/shared/app-error.ts';
import type { Principal } from '../../domain/shared/principal.ts';
import type { Platform } from '../platform.ts';
import { RequestAccess } from './access.ts';
import { createLoaders, type Loaders } from './batch.ts';
import { gqlError, validationFailed } from './errors.ts';
import { AttemptReader } from '../../commands/attempt-reader.ts';

/** How long a query waits for the read models to reach the position it asked for. */
export const DEFAULT_READ_YOUR_WRITES_TIMEOUT_MS = 5000;
export const MIN_POSITION_HEADER = 'x-min-position';

const MAX_POSITION = 2n ** 64n - 1n;

export interface GraphqlOptions {
  /** Bound of the read-your-writes wait. Default 5000 ms. */
  readYourWritesTimeoutMs?: number;
}

/** One GraphQL request: who asks, its batched loaders, its remembered decisions, and its consistency requirement. */
export interface GraphqlContext {
  platform: Platform;
  principal: (Principal & { keyId: string }) | null;
  access: RequestAccess;
  loaders: Loaders;
  /** The request's instant: "active now" and policy decisions use it throughout one answer. */
  now: string;
  /** From `X-Min-Position`: null when absent, an error when malformed (reported by every root field). */
  headerPosition: bigint | null | AppError;
  /** Position the read models were awaited to (0 when nothing was asked): cached answers must be at least as fresh. */
  minPosition: bigint;
  waits: Map<bigint, Promise<void>>;
  options: Required<GraphqlOptions>;
}

export function createContext(platform: Platform, request: FastifyRequest, options: GraphqlOptions = {}): GraphqlContext {
  const now = new Date().toISOString();
  const principal = request.principal;
  return {
    platform,
    principal,
    // One catch-up read per stream for the whole request: every authorization in it sees the same snapshot.
    access: new RequestAccess(new AttemptReader(platform.loader), principal, now),
    loaders: createLoaders(platform.docs),
    now,
    headerPosition: headerPosition(request.headers[MIN_POSITION_HEADER]),
    minPosition: 0n,
    waits: new Map(),
    options: { readYourWritesTimeoutMs: options.readYourWritesTimeoutMs ?? DEFAULT_READ_YOUR_WRITES_TIMEOUT_MS },
  };
}

function headerPosition(value: string | string[] | undefined): bigint | null | AppError {
  const header = Array.isArray(value) ? value[0] : value;
  if (header === undefined || header.trim() === '') return null;
  const position = parsePosition(header.trim());
  return (
    position ??
    appError('invalid', 'INVALID_HEADER', 'X-Min-Position must be a global position (the `position` a command returned)', { header: 'X-Min-Position' })
  );
}

export function parsePosition(value: string): bigint | undefined {
  if (!/^\d{1,20}$/.test(value)) return undefined;
  const position = BigInt(value);
  return position <= MAX_POSITION ? position : undefined;
}

/**
 * Read-your-writes, before a root field resolves: the larger of the `X-Min-Position` header and the field's
 * `minPosition` argument is awaited (bounded) until every projection has applied it. Not reached in time:
 * READ_MODEL_BEHIND with the position asked and the one reached, rather than an answer that may be stale. A position
 * beyond the end of the log fails at once (it was not returned by a command).
 */
export async function awaitPosition(context: GraphqlContext, argument: unknown): Promise<void> {
  const { headerPosition: header } = context;
  if (isAppError(header)) throw gqlError(header);
  let wanted = header ?? 0n;
  if (argument !== undefined && argument !== null) {
    const parsed = typeof argument === 'string' ? parsePosition(argument) : undefined;
    if (parsed === undefined)
      throw validationFailed('invalid arguments', [
        { path: ['minPosition'], message: 'a global position: a decimal integer (the `position` a command returned)' },
      ]);
    if (parsed > wanted) wanted = parsed;
  }
  if (wanted === 0n) return;
  let waiting = context.waits.get(wanted);
  if (!waiting) {
    waiting = waitForPosition(context, wanted);
    context.waits.set(wanted, waiting);
  }
  await waiting;
  if (wanted > context.minPosition) context.minPosition = wanted;
}

async function waitForPosition(context: GraphqlContext, position: bigint): Promise<void> {
  const { projections, store } = context.platform;
  if (projections.readPosition >= position) return;
  const head = await store.headPosition();
  if (position > head) {
    throw gqlError(
      appError('unavailable', 'READ_MODEL_BEHIND', `position ${position} is beyond the end of the log (${head})`, {
        position: position.toString(),
        reached: projections.readPosition.toString(),
        head: head.toString(),
      }),
    );
  }
  const started = Date.now();
  const reached = await projections.waitForReads(position, context.options.readYourWritesTimeoutMs);
  if (!reached) {
    throw gqlError(
      appError('unavailable', 'READ_MODEL_BEHIND', `the read models have not reached position ${position} yet; retry shortly`, {
        position: position.toString(),
        reached: projections.readPosition.toString(),
        waitedMs: Date.now() - started,
      }),
    );
  }
}
