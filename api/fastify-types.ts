import type { Principal } from '../domain/shared/principal.ts';
import type { RouteDoc } from './openapi/route-doc.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the authentication hook from the API key; never from the request's content. */
    principal: (Principal & { keyId: string }) | null;
  }
  interface FastifyContextConfig {
    /** The route's OpenAPI documentation; documentation only, never used to validate (see api/openapi/docs.ts). */
    openapi?: RouteDoc;
  }
}
