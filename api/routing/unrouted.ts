import type { FastifyInstance } from 'fastify';
import { appError, type AppError } from '../../domain/shared/app-error.ts';
import { sendError } from '../command-reply.ts';
import { RouteTable } from './route-table.ts';

const DOCS = '/docs';

function shown(path: string): string {
  return path.length > 200 ? `${path.slice(0, 200)}...` : path;
}

/**
 * What a request that matched no route is told, before anything authenticates it (the route list is public at /docs,
 * and saying "no such route" to everyone reveals nothing a key would guard):
 * - its path exists for other methods: 405 METHOD_NOT_ALLOWED with `Allow` (OPTIONS: 204 with `Allow`);
 * - otherwise 404 ROUTE_NOT_FOUND, with the route it probably meant and where every route is listed.
 */
export function unroutedRequest(table: RouteTable, method: string, url: string): { allow: string[] } | AppError {
  const path = url.split('?')[0] ?? url;
  const methods = table.methodsAt(path);
  if (methods.length > 0 && !methods.includes(method)) {
    const allow = [...methods, 'OPTIONS'];
    if (method === 'OPTIONS') return { allow };
    const primary = methods.find((candidate) => candidate !== 'HEAD') ?? methods[0];
    return appError(
      'method_not_allowed',
      'METHOD_NOT_ALLOWED',
      `${shown(path)} takes ${methods.join(', ')}, not ${method}: send a ${primary}${primary === 'POST' ? ' with a JSON body' : ''}`,
      { method, path: shown(path), allow },
    );
  }
  const suggestion = table.closest(method, path);
  const hint = suggestion ? `did you mean ${suggestion.method} ${suggestion.url}? ` : '';
  return appError('not_found', 'ROUTE_NOT_FOUND', `no route ${method} ${shown(path)}; ${hint}every route is listed at ${DOCS}`, {
    method,
    path: shown(path),
    suggestion,
    docs: DOCS,
  });
}

/** Collects every route as it is added (register before the routes), and answers requests that match none. */
export function registerUnrouted(app: FastifyInstance): void {
  const table = new RouteTable();
  app.addHook('onRoute', (route) => {
    table.add(Array.isArray(route.method) ? route.method : [route.method], route.url);
  });
  app.setNotFoundHandler((request, reply) => {
    const answer = unroutedRequest(table, request.method, request.url);
    if ('allow' in answer) return reply.code(204).header('allow', answer.allow.join(', ')).send();
    return sendError(reply, answer);
  });
}
