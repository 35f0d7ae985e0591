import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { appError, isAppError } from '../../domain/shared/app-error.ts';
import { sendError } from '../command-reply.ts';
import type { Platform } from '../platform.ts';
import { StreamAccess } from '../streaming/access.ts';
import { eventStreamQueryDoc, parseEventStreamRequest } from '../streaming/query.ts';
import { EventStreamSession, type EventStreamTiming } from '../streaming/session.ts';
import { SseWriter } from '../streaming/sse.ts';
import type { StreamSlots } from '../streaming/stream-slots.ts';
import { OpenSessions } from '../streaming/open-sessions.ts';
import { eventStreamResponses } from '../openapi/responses.ts';
import { checkedWhereRead, type ZodRequestTypes } from '../routing/request-schemas.ts';

export interface EventStreamRouteOptions extends EventStreamTiming {
  /** How long a stream trusts an authorization answer (and its credential) before deciding again. Default 10 000 ms. */
  accessTtlMs?: number;
}

const eventPayload = z.object({
  position: z.string().describe('global position in the log; also the SSE id'),
  streamId: z.string(),
  revision: z.int().describe('position of the event in its stream'),
  type: z.string(),
  data: z.record(z.string(), z.unknown()).describe('as stored (metadata.schemaVersion says its version); secrets such as keyHash removed'),
  metadata: z
    .record(z.string(), z.unknown())
    .describe('eventId, commandId, correlationId, causationId, principal, orgId, occurredAt, schemaVersion, decisionId, ...'),
  orgId: z.string().nullable().describe('the org the event belongs to; null for platform-level events'),
});

const description = [
  'Server-Sent Events of committed events, catch-up then live, in log order. Each message is',
  '`id: <position>`, `event: <EventType>`, `data: <JSON>` (see the schema). Resume with the `Last-Event-ID` header',
  '(EventSource sends it when it reconnects) or `?after=<position>`: every later event arrives exactly once.',
  'A `: keep-alive` comment comes every 15 s when nothing else is sent; it may carry an `id:` line that moves the',
  'resume point past events the stream left out.',
  '',
  'Scoping: a principal receives only events of orgs it may read, decided by the policy engine per org (org.read;',
  'roster.read, policy.read and audit.read for roster, policy and decision events), re-decided every 10 s, so a',
  'revoked membership stops the flow soon. Platform-level events (subjects, API keys, command records of no org)',
  'need audit.read outside any org (platform admins). API key hashes are never sent. A filter naming an org the',
  'principal may not read is refused with 403 before the stream starts. The stream ends when its key is revoked.',
  '',
  'Limits: at most STREAMS_PER_PRINCIPAL (8) open streams per principal and STREAMS_TOTAL (512) per server, counting',
  'SSE, GraphQL subscriptions and agent inboxes together; beyond them 429 TOO_MANY_STREAMS with Retry-After.',
].join('\n');

/** `GET /events/stream`: the log, live, as Server-Sent Events. See `description` for the contract. */
export async function eventStreamRoutes(app: FastifyInstance, platform: Platform, streams: StreamSlots, options: EventStreamRouteOptions = {}): Promise<void> {
  const routes = app.withTypeProvider<ZodRequestTypes>();
  const sessions = new OpenSessions<EventStreamSession>(app);

  routes.get(
    '/events/stream',
    {
      schema: {
        summary: 'Live stream of committed events (Server-Sent Events)',
        description,
        tags: ['events'],
        // Read by parseEventStreamRequest, with the Last-Event-ID header and the registry's event types.
        querystring: checkedWhereRead(z.object(eventStreamQueryDoc)),
        headers: checkedWhereRead(
          z.object({
            'last-event-id': z
              .string()
              .regex(/^\d{1,20}$/)
              .optional()
              .describe('the id (position) of the last event received: resume after it'),
          }),
        ),
        response: eventStreamResponses('text/event-stream; each data line is one event', eventPayload),
      },
    },
    async (request, reply) => {
      const filters = parseEventStreamRequest(request.query, request.headers['last-event-id'], platform.registry);
      if (isAppError(filters)) return sendError(reply, filters);
      const principal = request.principal;
      if (!principal) return sendError(reply, appError('unauthenticated', 'UNAUTHENTICATED', 'authentication required'));

      const access = new StreamAccess(platform.loader, platform.apiKeys, principal, {
        ...(options.accessTtlMs === undefined ? {} : { ttlMs: options.accessTtlMs }),
      });
      // An org the filter names must be readable: say so now (403 with the policy's explanation) rather than send
      // nothing forever.
      for (const orgId of filters.orgIds ?? []) {
        const decided = await access.decide(orgId, 'org.read');
        if (isAppError(decided)) return sendError(reply, decided);
      }
      const closing = sessions.refusal();
      if (closing) return sendError(reply, closing);

      const release = streams.acquire(principal);
      if (isAppError(release)) return sendError(reply, release);

      reply.hijack();
      const session = new EventStreamSession(platform.store, access, new SseWriter(reply.raw), filters, request.log, options);
      sessions.add(session);
      try {
        await session.run();
      } finally {
        sessions.delete(session);
        release();
      }
    },
  );
}
