import type { FastifyInstance } from 'fastify';
import type { GraphQLError } from 'graphql';
import mercurius, { type IResolvers } from 'mercurius';
import { isAppError } from '../../domain/shared/app-error.ts';
import { authenticate, refuseSuspendedSubject } from '../auth/authenticate.ts';
import type { Platform } from '../platform.ts';
import { StreamAccess } from '../streaming/access.ts';
import type { StreamSlots } from '../streaming/stream-slots.ts';
import { createContext, type GraphqlOptions } from './context.ts';
import { formatExecutionErrors, gqlError } from './errors.ts';
import { GraphQLError as GraphQLErrorClass, specifiedRules, validate } from './graphql-js.ts';
import { frameworkErrorFor } from '../framework-errors.ts';
import { httpErrorForThrown } from '../http-errors.ts';
import { costError, graphqlLimitsFrom, jsonBytesOver, limitExceeded, limitRules, tokensError } from './limits.ts';
import { queryResolvers } from './resolvers.ts';
import { schema } from './schema.ts';
import { EventsIterator, checkNamedOrg, parseEventsArgs, principalOfConnection, type EventView } from './subscriptions.ts';
import { subscriptionOverHttpError } from './subscription-over-http.ts';
import { GRAPHQL_PATH } from './paths.ts';

export { GRAPHQL_PATH };

export interface GraphqlPluginOptions extends GraphqlOptions {
  /** How long a subscription trusts an authorization answer before deciding again. Default 10 000 ms. */
  accessTtlMs?: number;
}

/**
 * The GraphQL read API (mercurius): queries over HTTP at `/graphql` (POST, or GET with `?query=`), subscriptions
 * over WebSocket at the same path (`graphql-transport-ws` or `graphql-ws`), GraphiQL at `/graphiql` (graphiql/routes.ts).
 *
 * Authentication: registered in the server's protected scope, so HTTP requests carry `Authorization: Bearer <api key>`
 * like every route (its hook sets `request.principal`). A browser cannot put headers on a WebSocket upgrade, so that
 * hook lets the upgrade itself through and the connection authenticates here, with its `connection_init` payload
 * (`{"authorization": "Bearer <key>"}`; GraphiQL sends the headers of its header editor there); a connection that
 * does not is refused (`connection_error`, closed). The GraphiQL page and its assets are public (registered outside
 * the protected scope); its queries are not.
 */
export async function graphqlRoutes(app: FastifyInstance, platform: Platform, streams: StreamSlots, options: GraphqlPluginOptions = {}): Promise<void> {
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
          const access = new StreamAccess(
            platform.loader,
            platform.apiKeys,
            principal,
            options.accessTtlMs === undefined ? {} : { ttlMs: options.accessTtlMs },
          );
          await checkNamedOrg(access, filters.orgId);
          // A subscription is one of the principal's open streams, given back however it ends (complete, socket closed).
          const release = streams.acquire(principal);
          if (isAppError(release)) throw gqlError(release);
          const iterator = new EventsIterator(platform, access, filters, (ended) => {
            subscriptions.delete(ended);
            release();
          });
          subscriptions.add(iterator);
          return iterator;
        },
        resolve: (event: EventView) => event,
      },
    },
  };

  const limits = graphqlLimitsFrom(platform.config);
  const rules = limitRules(limits);
  await app.register(mercurius, {
    schema,
    // mercurius's resolver types are `any`-based; ours are typed against our own context.
    resolvers: resolvers as unknown as IResolvers,
    path: GRAPHQL_PATH,
    // mercurius's own GraphiQL page loads React and GraphiQL from a CDN: blank offline, and third-party scripts
    // next to a pasted key. Ours is served from installed packages (below).
    graphiql: false,
    context: (request) => createContext(platform, request, options),
    errorFormatter: (execution, context) => formatExecutionErrors(execution, context.reply?.log ?? platform.logger),
    // What a hook or the body parser throws before GraphQL runs: the server's own refusals (429 RATE_LIMITED from the
    // rate limit, 415 for a body that is not JSON) keep their status and uniform body, as on every other route;
    // anything else is answered as a GraphQL error, as mercurius would.
    errorHandler: async (error, request, reply) => {
      if (isAppError(error) || frameworkErrorFor(error) !== undefined) {
        const mapped = httpErrorForThrown(error, { headers: request.headers, bodyLimit: request.routeOptions.bodyLimit });
        return void reply.code(mapped.status).headers(mapped.headers).send(mapped.body);
      }
      const { statusCode, response } = formatExecutionErrors({ errors: [asGraphQLErrorOf(error)] }, request.log);
      return void reply.code(statusCode).send(response);
    },
    // Depth and aliases with fragments expanded (mercurius's own `queryDepth` does not follow spreads).
    validationRules: rules,
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

  // Every operation is measured before anything runs: tokens before parsing, depth and aliases by validation (above),
  // the estimated objects with the request's variables (`first: $n`) just before execution, which validation rules do
  // not see when mercurius caches validated documents. Refusals are 400 QUERY_TOO_COMPLEX with the limit and the value.
  app.graphql.addHook('preParsing', async (_schema, source) => {
    refuseIf(tokensError(source, limits));
  });
  app.graphql.addHook('preExecution', async (schema, document, context, variables) => {
    refuseIf(subscriptionOverHttpError(document, context.reply.request.body));
    refuseIf(costError(schema, document, variables, limits));
  });
  // The answer is measured once resolved, before it is serialized: one that outgrew the cap (the estimate cannot
  // know how large each object is) is replaced by an error instead of being sent whole.
  app.graphql.addHook('onResolution', async (execution, context) => {
    const bytes = jsonBytesOver(execution.data, limits.maxResponseBytes);
    if (bytes === undefined) return;
    cutOff(execution, bytes, limits.maxResponseBytes);
    context.reply.code(400);
  });
  // Subscriptions over WebSocket: mercurius neither validates them nor runs the rules above, so the same checks run here.
  app.graphql.addHook('preSubscriptionParsing', async (_schema, source) => {
    refuseIf(tokensError(source, limits));
  });
  app.graphql.addHook('preSubscriptionExecution', async (schema, document) => {
    const [invalid] = validate(schema, document, [...specifiedRules, ...rules]);
    if (invalid) {
      // The limits carry their own code; graphql-js's own findings get the code HTTP answers them with.
      if (invalid.extensions.code !== undefined) throw invalid;
      throw new GraphQLErrorClass(invalid.message, { extensions: { code: 'GRAPHQL_VALIDATION_FAILED', details: {} } });
    }
    const tooCostly = costError(schema, document, undefined, limits);
    if (tooCostly) throw tooCostly;
  });
  app.graphql.addHook('onSubscriptionResolution', async (execution) => {
    const bytes = jsonBytesOver(execution.data, limits.maxResponseBytes);
    if (bytes !== undefined) cutOff(execution, bytes, limits.maxResponseBytes);
  });
}

/** As mercurius's default handler wraps a thrown error (the formatter then looks at the original). */
function asGraphQLErrorOf(error: Error): GraphQLError {
  if (error instanceof GraphQLErrorClass) return error;
  const extensions =
    'extensions' in error && typeof error.extensions === 'object' && error.extensions !== null ? (error.extensions as Record<string, unknown>) : undefined;
  return new GraphQLErrorClass(error.message, { originalError: error, ...(extensions ? { extensions } : {}) });
}

/** A refusal before execution, as mercurius reports a failed validation (400, the error in `errors`). */
function refuseIf(error: GraphQLError | undefined): void {
  if (error) throw Object.assign(new Error(error.message), { errors: [error], statusCode: 400, code: 'MER_ERR_GQL_VALIDATION' });
}

/** Replaces an oversized answer's data by one RESPONSE_TOO_LARGE error (the errors are already formatted here). */
function cutOff(execution: { data?: unknown; errors?: ReadonlyArray<unknown> }, bytes: number, max: number): void {
  const error = limitExceeded('responseBytes', max, bytes, `the answer is larger than ${max} bytes; ask for less (smaller pages, fewer fields)`);
  Object.assign(execution, { data: null, errors: [{ message: error.message, extensions: error.extensions }] });
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
