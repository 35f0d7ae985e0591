import type { DocumentNode, GraphQLError } from 'graphql';
import { z } from 'zod';
import { GRAPHQL_PATH } from './paths.ts';
import { GraphQLError as GraphQLErrorClass, getOperationAST } from './graphql-js.ts';

const operationNameOf = z.object({ operationName: z.string().nullish() }).catch({ operationName: null });

/**
 * A subscription sent over HTTP would reach graphql-js's `execute`, which cannot run it (our subscription fields
 * have no HTTP form) and fails as an internal error. It is the caller's mistake, answered as such with where to go.
 */
export function subscriptionOverHttpError(document: DocumentNode, body: unknown): GraphQLError | undefined {
  const operation = getOperationAST(document, operationNameOf.parse(body).operationName ?? undefined);
  if (operation?.operation !== 'subscription') return undefined;
  return new GraphQLErrorClass(`subscriptions run over the WebSocket at ${GRAPHQL_PATH} (protocol graphql-transport-ws), not over HTTP POST`, {
    extensions: { code: 'SUBSCRIPTION_OVER_HTTP', details: { path: GRAPHQL_PATH, protocol: 'graphql-transport-ws' } },
  });
}
