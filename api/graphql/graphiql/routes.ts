import type { FastifyInstance } from 'fastify';
import { loadIdeAssets } from './assets.ts';

export const GRAPHIQL_PATH = '/graphiql';

/**
 * What the page may load: its own scripts, styles and fonts from this server only, so it works offline and no
 * third party's script ever runs next to a pasted API key. Inline styles are allowed because GraphiQL's dialogs insert
 * a `<style>` element whose content varies (the scrollbar's width), so no hash can name it; inline scripts are not.
 * `connect-src 'self'` covers /graphql over HTTP and WebSocket.
 */
export const GRAPHIQL_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "font-src 'self' data:",
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/**
 * GraphiQL at `/graphiql`, served entirely by this server from installed packages (graphiql, react, react-dom):
 * public like the API docs (the server registers it outside its protected scope), since the page holds no data; its
 * queries to /graphql carry the caller's key.
 */
export async function graphiqlRoutes(app: FastifyInstance): Promise<void> {
  const assets = await loadIdeAssets();
  for (const asset of assets) {
    app.get(`${GRAPHIQL_PATH}${asset.path}`, async (request, reply) => {
      reply
        .header('content-type', asset.contentType)
        .header('x-content-type-options', 'nosniff')
        .header('cache-control', 'no-cache')
        .header('etag', asset.etag);
      if (asset.path === '') reply.header('content-security-policy', GRAPHIQL_CSP).header('referrer-policy', 'no-referrer');
      if (request.headers['if-none-match'] === asset.etag) return reply.code(304).send();
      return reply.send(asset.body);
    });
  }
}
