import type { FastifyInstance } from 'fastify';
import type { z } from 'zod';
import { isAppError, type AppError } from '../../domain/shared/app-error.ts';
import type { JsonDocument } from '../../infra/documents/port.ts';
import { sendError } from '../command-reply.ts';
import { RequestAccess } from '../graphql/access.ts';
import type { ListScope } from '../list-scope.ts';
import { readErrors, readReply } from '../openapi/responses.ts';
import type { Platform } from '../platform.ts';
import type { ZodRequestTypes } from '../routing/request-schemas.ts';
import { equalities, listPage } from './list-page.ts';
import { type PageQuery, pageWindow } from './page-query.ts';
import { readModelsBehind } from './read-models-behind.ts';

export interface ScopedListRoute<Query extends z.ZodType<PageQuery & Record<string, unknown>>> {
  url: string;
  summary: string;
  description: string;
  tags: string[];
  querystring: Query;
  /** The 200 answer: its description and schema (`{<key>: [...], pageInfo}`). */
  reply: [description: string, schema: z.ZodType];
  /** The projections the list and its scope read: waited for first, so the scope is decided on caught-up documents. */
  readModels: readonly string[];
  /** What the principal may list (api/list-scope.ts), as GraphQL's list of the same documents is scoped. */
  scope(access: RequestAccess): ListScope | AppError | Promise<ListScope | AppError>;
  collection: string;
  /** The query parameters that filter the list, most selective first (listPage). */
  filters: ReadonlyArray<keyof z.output<Query> & string>;
  /** The time the list is ordered by. */
  sortField: string;
  /** The answer's field that holds the page's items, and how each is answered. */
  key: string;
  view(document: JsonDocument): unknown;
}

/**
 * A list of documents the caller may read, outside any one org (`GET /orgs`, `GET /subjects`): each document
 * admitted by the policy as GraphQL's lists are (ListScope), a page at a time, newest first by default.
 */
export function scopedListRoute<Query extends z.ZodType<PageQuery & Record<string, unknown>>>(
  app: FastifyInstance,
  platform: Platform,
  route: ScopedListRoute<Query>,
): void {
  const [replyDescription, replySchema] = route.reply;
  const schema = {
    summary: route.summary,
    description: route.description,
    tags: route.tags,
    querystring: route.querystring,
    response: { '200': readReply(replyDescription, replySchema), ...readErrors },
  };
  app.withTypeProvider<ZodRequestTypes>().get(route.url, { schema }, async (request, reply) => {
    // Parsed by the route's own schema (useZodSchemas) before this runs.
    const query = request.query as z.output<Query>;
    const behind = await readModelsBehind(platform, route.readModels);
    if (behind) return sendError(reply, behind);
    const scope = await route.scope(new RequestAccess(platform.loader, request.principal, new Date().toISOString()));
    if (isAppError(scope)) return sendError(reply, scope);
    const page = await listPage(platform.docs, {
      collection: route.collection,
      scope: scope.filter,
      filters: equalities(query, route.filters),
      ...pageWindow(query, route.sortField),
      admit: scope.admit,
    });
    if (isAppError(page)) return sendError(reply, page);
    return { [route.key]: page.items.map(route.view), pageInfo: page.pageInfo };
  });
}
