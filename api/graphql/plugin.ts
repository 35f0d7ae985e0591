import type { FastifyInstance, FastifyRequest } from 'fastify';
import mercurius, { type IResolvers } from 'mercurius';
import { isAppError } from '../../domain/shared/app-error.ts';
import { authenticate, refuseSuspendedSubject } from '../auth/authenticate.ts';
import { sendError } from '../command-reply.ts';
import type { Platform } from '../platform.ts';
import { StreamAccess } from '../streaming/access.ts';
import { createContext, type GraphqlOptions } from './context.ts';
import { formatExecutionErrors } from './errors.ts';
import { queryTooLarge } from './cost.ts';
import { queryResolvers } from './resolvers.ts';
import { schema } from './schema.ts';
import { EventsIterator, checkNamedOrg, parseEventsArgs, principalOfConnection, type EventView } from './subscriptions.ts';

export const GRAPHQL_PATH = '/graphql';
export const GRAPHIQL_PATH = '/graphiql';

export interface GraphqlPluginOptions extends GraphqlOptions {
  /** How long a subscription trusts an authorization answer before deciding again. Default 10 000 ms. */
  accessTtlMs?: number;
}

/**
 * The GraphQL read API (mercurius): queries over HTTP at `/graphql` (POST, or GET with `?query=`), subscriptions
 * over WebSocket at the same path (`graphql-transport-ws` or `graphql-ws`), GraphiQL at `/graphiql`.
 *
 * Authentication: HTTP requests carry `Authorization: Bearer <api key>` like every route (the server's hook sets
 * `request.principal`). A browser cannot put headers on a WebSocket upgrade, so the upgrade itself is let through and
 * the connection authenticates with its `connection_init` payload (`{"authorization": "Bearer <key>"}`; GraphiQL
 * sends the headers of its header editor there); a connection that does not is refused (`connection_error`,
 * closed). The GraphiQL page and its assets are public; its queries are not.
 */
export async function graphqlRoutes(app: FastifyInstance, platform: Platform, options: GraphqlPluginOptions = {}): Promise<void> {
  // Routes mercurius registers in this scope: the IDE's page and assets are public; the GET route serves both plain
  // GET queries and WebSocket upgrades, so the server-wide hook lets it through and the hook below authenticates
  // every request on it that is not an upgrade.
  app.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    const isIde = route.url === GRAPHIQL_PATH || route.url.startsWith(`${GRAPHIQL_PATH}/`);
    const isGetGraphql = route.url === GRAPHQL_PATH && methods.every((method) => method === 'GET' || method === 'HEAD');
    if (isIde || isGetGraphql) route.config = { ...route.config, public: true };
  });
  app.addHook('onRequest', async (request, reply) => {
    if (request.routeOptions.url !== GRAPHQL_PATH || request.principal !== null || isWebSocketUpgrade(request)) return;
    const principal = authenticate(request.headers.authorization, platform.apiKeys);
    if (isAppError(principal)) {
      if (principal.code === 'UNAUTHENTICATED') reply.header('www-authenticate', 'Bearer');
      return sendError(reply, principal);
    }
    const suspended = await refuseSuspendedSubject(principal, platform.loader);
    if (suspended) return sendError(reply, suspended);
    request.principal = principal;
  });

  const subscriptions = new Set<EventsIterator>();
  app.addHook('preClose', async () => {
    await Promise.all([...subscriptions].map((iterator) => iterator.return()));
  });

  const resolvers = {
    ...queryResolvers,
    Subscription: {
      events: {
        subscribe: async (_root: unknown, args: Readonly<Record<string, unknown>>, context: unknown) => {
          const principal = principalOfConnection(context);
          const filters = parseEventsArgs(platform, args);
          const access = new StreamAccess(platform.loader, platform.apiKeys, principal, options.accessTtlMs === undefined ? {} : { ttlMs: options.accessTtlMs });
          await checkNamedOrg(access, filters.orgId);
          const iterator = new EventsIterator(platform, access, filters, (ended) => subscriptions.delete(ended));
          subscriptions.add(iterator);
          return iterator;
        },
        resolve: (event: EventView) => event,
      },
    },
  };

  await app.register(mercurius, {
    schema,
    // mercurius's resolver types are `any`-based; ours are typed against our own context.
    resolvers: resolvers as unknown as IResolvers,
    path: GRAPHQL_PATH,
    graphiql: true,
    context: (request) => createContext(platform, request, options),
    errorFormatter: (execution, context) => formatExecutionErrors(execution, context.reply?.log ?? platform.logger),
    queryDepth: 12,
    subscription: {
      onConnect: async ({ payload }) => {
        const principal = authenticate(authorizationFrom(payload), platform.apiKeys);
        if (isAppError(principal)) return false;
        if (await refuseSuspendedSubject(principal, platform.loader)) return false;
        return { principal };
      },
      keepAlive: 30_000,
    },
  });

  // The size estimate needs the request's variables (`first: $n`), which validation rules do not see when mercurius
  // caches validated documents: it runs just before execution instead (400 QUERY_TOO_COMPLEX).
  app.graphql.addHook('preExecution', async (_schema, document, _context, variables) => {
    const tooLarge = queryTooLarge(document, variables);
    if (tooLarge) throw Object.assign(new Error('the query is too large'), { errors: [tooLarge], statusCode: 400, code: 'MER_ERR_GQL_VALIDATION' });
  });
}

/** Node's parser marks an upgrade request (`Connection: upgrade` + `Upgrade`); a mere `Upgrade` header is not one. */
function isWebSocketUpgrade(request: FastifyRequest): boolean {
  return Reflect.get(request.raw, 'upgrade') === true;
}

/** `authorization` (any case) in the connection_init payload, or in its `headers` (how some clients nest it). */
function authorizationFrom(payload: unknown): string | undefined {
  const find = (value: unknown): string | undefined => {
    if (typeof value !== 'object' || value === null) return undefined;
    for (const [key, entry] of Object.entries(value)) {
      if (key.toLowerCase() === 'authorization' && typeof entry === 'string') return entry;
    }
    return undefined;
  };
  const nested = typeof payload === 'object' && payload !== null && 'headers' in payload ? payload.headers : undefined;
  return find(payload) ?? find(nested);
}
