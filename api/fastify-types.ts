import type { Principal } from '../domain/shared/principal.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the authentication hook from the API key; never from the request's content. */
    principal: (Principal & { keyId: string }) | null;
  }
}
