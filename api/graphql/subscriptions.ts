import { z } from 'zod';
import { appError, isAppError, type AppError } from '../../domain/shared/app-error.ts';
import { principalSchema, type Principal } from '../../domain/shared/principal.ts';
import type { AllSubscription, EventFilter, RecordedEvent } from '../../infra/eventstore/port.ts';
import { STREAM_CATEGORIES, isStreamCategory } from '../../domain/events/stream-categories.ts';
import { eventCategory, eventOrgId, publicEvent } from '../../processes/public-event.ts';
import type { Platform } from '../platform.ts';
import { type StreamAccess, readActionFor } from '../streaming/access.ts';
import { parsePosition } from './context.ts';
import { gqlError, validationFailed } from './errors.ts';
import type { JsonObject } from '../../domain/shared/json-value.ts';

/** What `Subscription.events` delivers: the public event (secrets removed), as SSE and NATS carry it. */
export interface EventView {
  position: string;
  streamId: string;
  revision: number;
  category: string;
  type: string;
  orgId: string | null;
  data: JsonObject;
  metadata: JsonObject;
  occurredAt: string | null;
}

export type SubscriptionPrincipal = Principal & { keyId: string };

const subscriptionPrincipal = principalSchema.extend({ keyId: z.string() });

/** The principal `onConnect` put in the connection's context, or UNAUTHENTICATED. */
export function principalOfConnection(context: unknown): SubscriptionPrincipal {
  const candidate = typeof context === 'object' && context !== null && 'principal' in context ? context.principal : undefined;
  const parsed = subscriptionPrincipal.safeParse(candidate);
  if (!parsed.success)
    throw gqlError(
      appError('unauthenticated', 'UNAUTHENTICATED', 'authenticate the connection: connection_init payload {"authorization": "Bearer <api key>"}'),
    );
  return parsed.data;
}

const categorySchema = z.string().regex(/^[A-Za-z][A-Za-z0-9_]{0,63}$/, 'a stream category: the prefix of a stream id before its first "-"');
const typeSchema = z.string().regex(/^[A-Za-z][A-Za-z0-9_]{0,127}$/, 'an event type such as RoleGranted');
const argsSchema = z.object({
  orgId: z
    .uuid()
    .transform((value) => value.toLowerCase())
    .nullish(),
  categories: z.array(categorySchema).min(1).max(50).nullish(),
  types: z.array(typeSchema).min(1).max(100).nullish(),
  afterPosition: z.string().max(20).nullish(),
});

export interface EventsFilters {
  orgId: string | null;
  categories: ReadonlySet<string> | null;
  types: ReadonlySet<string> | null;
  after: bigint | undefined;
}

export function parseEventsArgs(platform: Platform, args: unknown): EventsFilters {
  const parsed = argsSchema.safeParse(args ?? {});
  if (!parsed.success) {
    throw validationFailed(
      'invalid arguments',
      parsed.error.issues.map((issue) => ({ path: issue.path.map(String), message: issue.message })),
    );
  }
  const { orgId, categories, types, afterPosition } = parsed.data;
  // As GET /events/stream: a name nothing is written under would match nothing, forever.
  const unknown = [
    ...(categories ?? []).flatMap((name, index) =>
      isStreamCategory(name)
        ? []
        : [{ path: ['categories', index], message: `unknown stream category '${name}'; the categories are ${STREAM_CATEGORIES.join(', ')}` }],
    ),
    ...(types ?? []).flatMap((type, index) => (platform.registry.has(type) ? [] : [{ path: ['types', index], message: `unknown event type '${type}'` }])),
  ];
  if (unknown.length > 0) throw validationFailed('invalid arguments', unknown);
  let after: bigint | undefined;
  if (afterPosition !== undefined && afterPosition !== null) {
    after = parsePosition(afterPosition);
    if (after === undefined) throw validationFailed('invalid arguments', [{ path: ['afterPosition'], message: 'a global position: a decimal integer' }]);
  }
  return {
    orgId: orgId ?? null,
    categories: categories ? new Set(categories) : null,
    types: types ? new Set(types) : null,
    after,
  };
}

/**
 * The events a subscription asked for, in log order: catch-up from `after` (exclusive), then live. Each event is
 * delivered only when the filters select it and the principal may read it (StreamAccess, shared with the SSE
 * stream: the policy engine decides per org and read family, re-deciding every 10 s). The iterator ends (with
 * UNKNOWN_API_KEY or SUBJECT_SUSPENDED, as a request with that key would be told) when the connection's key is revoked
 * or its subject suspended.
 *
 * Written as a plain iterator rather than an async generator: `return()` (the client stops, the socket closes)
 * must end a wait for the next event at once, which a generator suspended in an `await` cannot do.
 */
export class EventsIterator implements AsyncIterableIterator<EventView> {
  private readonly subscription: AllSubscription;
  private readonly source: AsyncIterator<RecordedEvent>;
  private done = false;

  constructor(
    platform: Platform,
    private readonly access: StreamAccess,
    private readonly filters: EventsFilters,
    private readonly onEnd: (iterator: EventsIterator) => void = () => undefined,
  ) {
    const storeFilter: EventFilter | undefined =
      filters.types || filters.categories
        ? { ...(filters.types ? { eventTypes: [...filters.types] } : {}), ...(filters.categories ? { streamPrefixes: [...filters.categories] } : {}) }
        : undefined;
    this.subscription = platform.store.subscribeToAll({
      ...(filters.after === undefined ? {} : { afterPosition: filters.after }),
      ...(storeFilter ? { filter: storeFilter } : {}),
    });
    this.source = this.subscription[Symbol.asyncIterator]();
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  async next(): Promise<IteratorResult<EventView>> {
    while (!this.done) {
      let result: IteratorResult<RecordedEvent>;
      try {
        result = await this.source.next();
      } catch {
        if (this.done) break;
        await this.finish();
        throw gqlError(appError('unavailable', 'EVENT_STORE_UNAVAILABLE', 'the subscription to the log failed; resubscribe with afterPosition'));
      }
      if (result.done || this.done) break;
      const event = result.value;
      if (!this.selected(event)) continue;
      let allowed: boolean;
      let credentialRefused: AppError | null;
      try {
        allowed = await this.access.allows(eventOrgId(event), readActionFor(event));
        credentialRefused = allowed ? await this.access.credentialRefusal() : null;
      } catch {
        // Deciding needs the log (the org's roster and policy): without it, end rather than guess.
        await this.finish();
        throw gqlError(
          appError('unavailable', 'EVENT_STORE_UNAVAILABLE', 'access to this event could not be decided; resubscribe with afterPosition', {
            position: event.position.toString(),
          }),
        );
      }
      if (!allowed) continue;
      if (credentialRefused) {
        await this.finish();
        throw gqlError(credentialRefused);
      }
      return { done: false, value: view(event) };
    }
    await this.finish();
    return { done: true, value: undefined };
  }

  async return(): Promise<IteratorResult<EventView>> {
    await this.finish();
    return { done: true, value: undefined };
  }

  async throw(error?: unknown): Promise<IteratorResult<EventView>> {
    await this.finish();
    throw error;
  }

  private async finish(): Promise<void> {
    if (this.done) return;
    this.done = true;
    this.onEnd(this);
    await this.subscription.unsubscribe().catch(() => undefined);
  }

  private selected(event: RecordedEvent): boolean {
    const { orgId, categories, types } = this.filters;
    if (types && !types.has(event.type)) return false;
    if (categories && !categories.has(eventCategory(event))) return false;
    return orgId === null || eventOrgId(event) === orgId;
  }
}

function view(event: RecordedEvent): EventView {
  const published = publicEvent(event);
  const occurredAt = published.metadata.occurredAt;
  return {
    position: published.position,
    streamId: published.streamId,
    revision: published.revision,
    category: eventCategory(event),
    type: published.type,
    orgId: published.orgId,
    data: published.data,
    metadata: published.metadata,
    occurredAt: typeof occurredAt === 'string' ? occurredAt : null,
  };
}

/** Up-front: an org the subscription names must be readable (POLICY_DENIED now, rather than silence forever). */
export async function checkNamedOrg(access: StreamAccess, orgId: string | null): Promise<void> {
  if (orgId === null) return;
  const decided = await access.decide(orgId, 'org.read');
  if (isAppError(decided)) throw gqlError(decided);
}
