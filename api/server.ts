import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyReply } from 'fastify';
import './fastify-types.ts';
import { appError, isAppError } from '../domain/shared/app-error.ts';
import { authenticate, refuseSuspendedSubject } from './auth/authenticate.ts';
import { sendError } from './command-reply.ts';
import { httpErrorForThrown } from './http-errors.ts';
import { registerRequestBodies } from './json-body.ts';
import type { Platform } from './platform.ts';
import { docsRoutes, registerOpenApi } from './openapi/docs.ts';
import { graphqlRoutes, type GraphqlPluginOptions } from './graphql/plugin.ts';
import { agentInboxRoutes, type AgentInboxRouteOptions } from './routes/agent-inbox.ts';
import { agentRequestRoutes } from './routes/agent-requests.ts';
import { agentBusCredentialRoutes } from './routes/agent-bus-credentials.ts';
import { apiKeyRoutes } from './routes/api-keys.ts';
import { auditRoutes } from './routes/audit.ts';
import { contractRoutes } from './routes/contracts.ts';
import { projectionParkingRoutes } from './routes/projection-parking.ts';
import { projectionRoutes } from './routes/projections.ts';
import { decisionRoutes } from './routes/decisions.ts';
import { eventStreamRoutes, type EventStreamRouteOptions } from './routes/events-stream.ts';
import { healthRoutes } from './routes/health.ts';
import { jobRoutes } from './routes/jobs.ts';
import { orgRoutes } from './routes/orgs.ts';
import { orgListRoutes } from './routes/org-list.ts';
import { subjectListRoutes } from './routes/subject-list.ts';
import { workListRoutes } from './routes/work-lists.ts';
import { associationListRoutes } from './routes/association-list.ts';
import { policyRoutes } from './routes/policies.ts';
import { rosterRoutes } from './routes/roster.ts';
import { subjectRoutes } from './routes/subjects.ts';
import { registerRateLimit } from './rate-limit.ts';
import { registerUnrouted } from './routing/unrouted.ts';
import { StreamSlots } from './streaming/stream-slots.ts';
import { taskRoutes } from './routes/tasks.ts';
import { workReadRoutes } from './routes/work-reads.ts';

export interface ServerOptions {
  /** Timing of `GET /events/stream` (heartbeat, authorization cache); tests shorten it. */
  eventStream?: EventStreamRouteOptions;
  /** GraphQL read API timing (read-your-writes bound, subscription authorization cache); tests shorten it. */
  graphql?: GraphqlPluginOptions;
  /** Timing and buffering of `GET /agent/inbox`; tests shorten them. */
  agentInbox?: AgentInboxRouteOptions;
}

export async function buildServer(platform: Platform, options: ServerOptions = {}): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: platform.logger as FastifyBaseLogger,
    // A command's data may be COMMAND_MAX_BYTES; the body around it (JSON framing) gets a little room on top.
    bodyLimit: platform.config.COMMAND_MAX_BYTES + 4096,
    genReqId: () => randomUUID(),
    // New requests during shutdown are answered by our own hook below, in the uniform error shape.
    return503OnClosing: false,
    // Requests Fastify rejects before routing (a malformed URL) still get the uniform error shape.
    frameworkErrors: (error, request, reply) => {
      const mapped = httpErrorForThrown(error, { headers: request.headers });
      void (reply as FastifyReply).code(mapped.status).headers(mapped.headers).send(mapped.body);
    },
  });

  app.decorateRequest('principal', null);

  // While closing, every answer ends its connection: a keep-alive socket left idle after an in-flight request
  // finishes would otherwise hold the shutdown open until the client lets go.
  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
    app.server.closeIdleConnections();
  });
  app.addHook('onSend', async (_request, reply) => {
    if (closing) reply.header('connection', 'close');
  });
  app.addHook('onRequest', async (_request, reply) => {
    if (closing) return sendError(reply, appError('unavailable', 'SHUTTING_DOWN', 'the server is shutting down; retry shortly'));
  });
  registerRequestBodies(app, platform.config.JSON_MAX_DEPTH);

  // A request that matches no route is answered by the not-found handler (registerUnrouted) before any credential
  // is looked at: a typo in the path is a 404 for everyone, not a 401 that sends the caller checking its key.
  app.addHook('onRequest', async (request, reply) => {
    if (request.routeOptions.config.public || request.is404) return;
    const principal = authenticate(request.headers.authorization, platform.apiKeys);
    if (isAppError(principal)) return sendError(reply, principal);
    const suspended = await refuseSuspendedSubject(principal, platform.loader);
    if (suspended) return sendError(reply, suspended);
    request.principal = principal;
  });

  app.setErrorHandler((error, request, reply) => {
    const mapped = httpErrorForThrown(error, { headers: request.headers, bodyLimit: request.routeOptions.bodyLimit });
    if (mapped.internal) request.log.error({ err: error }, 'unhandled error');
    return reply.code(mapped.status).headers(mapped.headers).send(mapped.body);
  });

  // Before every route, so that it sees them all as they are added.
  registerUnrouted(app);

  // One count of open streams for every kind (SSE, GraphQL subscriptions, agent inboxes).
  const streams = new StreamSlots({ perPrincipal: platform.config.STREAMS_PER_PRINCIPAL, total: platform.config.STREAMS_TOTAL });

  // Before every route: each route registered after it gets its rate-limit hook, and the OpenAPI document is
  // collected from the routes as they are added.
  await registerRateLimit(app, platform);
  await registerOpenApi(app);
  await app.register(async (scope) => healthRoutes(scope, platform));
  await app.register(async (scope) => orgRoutes(scope, platform));
  await app.register(async (scope) => subjectRoutes(scope, platform));
  await app.register(async (scope) => rosterRoutes(scope, platform));
  await app.register(async (scope) => policyRoutes(scope, platform));
  await app.register(async (scope) => jobRoutes(scope, platform));
  await app.register(async (scope) => contractRoutes(scope, platform));
  await app.register(async (scope) => taskRoutes(scope, platform));
  await app.register(async (scope) => workReadRoutes(scope, platform));
  await app.register(async (scope) => orgListRoutes(scope, platform));
  await app.register(async (scope) => subjectListRoutes(scope, platform));
  await app.register(async (scope) => workListRoutes(scope, platform));
  await app.register(async (scope) => associationListRoutes(scope, platform));
  await app.register(async (scope) => agentRequestRoutes(scope, platform));
  await app.register(async (scope) => agentInboxRoutes(scope, platform, streams, options.agentInbox));
  await app.register(async (scope) => agentBusCredentialRoutes(scope, platform));
  await app.register(async (scope) => decisionRoutes(scope, platform));
  await app.register(async (scope) => auditRoutes(scope, platform));
  await app.register(async (scope) => apiKeyRoutes(scope, platform));
  await app.register(async (scope) => projectionRoutes(scope, platform));
  await app.register(async (scope) => projectionParkingRoutes(scope, platform));
  await app.register(async (scope) => eventStreamRoutes(scope, platform, streams, options.eventStream));
  await app.register(async (scope) => graphqlRoutes(scope, platform, streams, options.graphql));
  await app.register(docsRoutes);
  return app;
}
