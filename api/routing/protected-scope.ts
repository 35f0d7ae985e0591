import type { FastifyInstance, FastifyRequest } from 'fastify';
import { isAppError } from '../../domain/shared/app-error.ts';
import { authenticate, refuseSuspendedSubject } from '../auth/authenticate.ts';
import { sendError } from '../command-reply.ts';
import { GRAPHQL_PATH } from '../graphql/paths.ts';
import type { Platform } from '../platform.ts';

/** Node's parser marks an upgrade request (`Connection: upgrade` + `Upgrade`); a mere `Upgrade` header is not one. */
function isWebSocketUpgrade(request: FastifyRequest): boolean {
  return Reflect.get(request.raw, 'upgrade') === true;
}

/**
 * The scope every route that needs a credential is registered in. Its hook authenticates each request from its
 * `Authorization: Bearer <api key>` and sets `request.principal`; being a plugin's own hook (Fastify encapsulation),
 * it runs for this scope's routes only, so a route outside needs no flag to be public, and a route inside cannot
 * opt out. One exception: a WebSocket upgrade on `/graphql`, which a browser cannot send headers with; the
 * connection authenticates with its `connection_init` payload instead (api/graphql/plugin.ts).
 */
export function protectedScope(platform: Platform, routes: (scope: FastifyInstance) => Promise<void>) {
  return async (scope: FastifyInstance): Promise<void> => {
    scope.addHook('onRequest', async (request, reply) => {
      if (request.routeOptions.url === GRAPHQL_PATH && isWebSocketUpgrade(request)) return;
      const principal = authenticate(request.headers.authorization, platform.apiKeys);
      if (isAppError(principal)) return sendError(reply, principal);
      const suspended = await refuseSuspendedSubject(principal, platform.loader);
      if (suspended) return sendError(reply, suspended);
      request.principal = principal;
    });
    await routes(scope);
  };
}
