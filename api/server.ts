import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyReply } from 'fastify';
import './fastify-types.ts';
import { appError } from '../domain/shared/app-error.ts';
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
import { healthRoutes, metricsRoute } from './routes/health.ts';
import { graphiqlRoutes } from './graphql/graphiql/routes.ts';
import { protectedScope } from './routing/protected-scope.ts';
import { useZodSchemas } from './routing/request-schemas.ts';
import { jobRoutes } from './routes/jobs.ts';
import { orgRoutes } from './routes/orgs.ts';
import { orgListRoutes } from './routes/org-list.ts';
import { subjectListRoutes } from './routes/subject-list.ts';
import { workListRoutes } from './routes/work-lists.ts';
import { associationListRoutes } from './routes/association-list.ts';
import { policyRoutes } from './routes/policies.ts';
import { workflowReadRoutes } from './routes/workflow-reads.ts';
import { workflowRoutes } from './routes/workflows.ts';
import { toolCallRoutes, type ToolCallRouteOptions } from './routes/tool-calls.ts';
import { toolRoutes } from './routes/tools.ts';
import { toolListRoutes } from './routes/tool-list.ts';
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
  /** How long a tool call request waits for its outcome at most; tests shorten it. */
  toolCalls?: ToolCallRouteOptions;
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
  // Public: the probes, the API docs and the GraphiQL page (its queries go to /graphql, which is not).
  await app.register(async (scope) => {
    useZodSchemas(scope);
    await healthRoutes(scope, platform);
    if (platform.config.METRICS_PUBLIC) await metricsRoute(scope, platform);
  });
  await app.register(graphiqlRoutes);
  await app.register(docsRoutes);
  // Everything else authenticates: registered only inside the protected scope, whose hook is the one place a
  // credential is checked. A request that matches no route never reaches it (registerUnrouted answers first), so a
  // typo in the path is a 404 for everyone, not a 401 that sends the caller checking its key.
  await app.register(
    protectedScope(platform, async (scope) => {
      await scope.register(async (rest) => {
        useZodSchemas(rest);
        if (!platform.config.METRICS_PUBLIC) await rest.register(async (inner) => metricsRoute(inner, platform));
        // Each family in a plugin of its own (the hooks one adds, a stream's preClose, stay its own), in this order.
        const withPlatform = (...families: Array<(inner: FastifyInstance, platform: Platform) => Promise<void>>) =>
          families.map((routes) => (inner: FastifyInstance) => routes(inner, platform));
        const families = [
          ...withPlatform(
            orgRoutes,
            subjectRoutes,
            rosterRoutes,
            policyRoutes,
            workflowRoutes,
            workflowReadRoutes,
            jobRoutes,
            contractRoutes,
            taskRoutes,
            workReadRoutes,
          ),
          ...withPlatform(toolRoutes, toolListRoutes),
          (inner: FastifyInstance) => toolCallRoutes(inner, platform, options.toolCalls),
          ...withPlatform(orgListRoutes, subjectListRoutes, workListRoutes, associationListRoutes, agentRequestRoutes),
          (inner: FastifyInstance) => agentInboxRoutes(inner, platform, streams, options.agentInbox),
          ...withPlatform(agentBusCredentialRoutes, decisionRoutes, auditRoutes, apiKeyRoutes, projectionRoutes, projectionParkingRoutes),
          (inner: FastifyInstance) => eventStreamRoutes(inner, platform, streams, options.eventStream),
        ];
        for (const family of families) await rest.register(family);
      });
      await scope.register(async (inner) => graphqlRoutes(inner, platform, streams, options.graphql));
    }),
  );
  return app;
}
