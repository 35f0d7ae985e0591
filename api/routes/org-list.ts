import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { orgSchema, orgStatusSchema } from '../../domain/org/state.ts';
import { isAppError } from '../../domain/shared/app-error.ts';
import { uuidSchema } from '../../domain/shared/ids.ts';
import { ORGS, orgView } from '../../projections/read-models/orgs.ts';
import { sendError } from '../command-reply.ts';
import { RequestAccess } from '../graphql/access.ts';
import { orgListScope } from '../list-scope.ts';
import type { Platform } from '../platform.ts';
import { equalities, listPage } from './list-page.ts';
import { pageInfoReply, pageQueryFields, pageWindow } from './page-query.ts';
import { readModelsBehind } from './read-models-behind.ts';
import { readErrors, readReply } from '../openapi/responses.ts';
import type { ZodRequestTypes } from '../routing/request-schemas.ts';

export const orgsQuery = z.strictObject({
  status: orgStatusSchema.optional().describe('only orgs with this status'),
  parentOrgId: uuidSchema.optional().describe("only this org's child orgs"),
  ...pageQueryFields('registration time'),
});

const orgItem = orgSchema.extend({ orgId: z.uuid(), registeredAt: z.string(), updatedAt: z.string() });
const orgsReply = z.object({
  orgs: z.array(orgItem),
  pageInfo: pageInfoReply,
});

/**
 * `GET /orgs`: the orgs the caller may read, from the orgs read model, scoped as GraphQL's `orgs` is
 * (api/list-scope.ts): platform principals see every org; a subject the orgs it owns or holds an active role in, each
 * decided by `org.read`. Nothing tells a caller that an org it may not read exists.
 */
export async function orgListRoutes(app: FastifyInstance, platform: Platform): Promise<void> {
  const routes = app.withTypeProvider<ZodRequestTypes>();
  routes.get(
    '/orgs',
    {
      schema: {
        summary: 'List the orgs the caller may read',
        description:
          'Platform admins: every org. A subject: the orgs it owns or holds an active role in, each decided by `org.read` (an org that lets non-members read it is readable by id or slug, not listed). Newest first by default; filters are AND-ed; pages follow `pageInfo.endCursor` (400 INVALID_CURSOR for a cursor of another list or order). Waits (at most 5 s) for the read models to reach the head of the log (503 READ_MODEL_BEHIND).',
        tags: ['orgs'],
        querystring: orgsQuery,
        response: { '200': readReply('A page of orgs', orgsReply), ...readErrors },
      },
    },
    async (request, reply) => {
      const query = request.query;
      // Caught up first: a subject's candidate orgs come from the associations read model.
      const behind = await readModelsBehind(platform, ['orgs', 'roster']);
      if (behind) return sendError(reply, behind);
      const access = new RequestAccess(platform.loader, request.principal, new Date().toISOString());
      const scope = await orgListScope(platform.docs, access);
      if (isAppError(scope)) return sendError(reply, scope);
      const page = await listPage(platform.docs, {
        collection: ORGS,
        scope: scope.filter,
        filters: equalities(query, ['status', 'parentOrgId']),
        ...pageWindow(query, 'registeredAt'),
        admit: scope.admit,
      });
      if (isAppError(page)) return sendError(reply, page);
      return { orgs: page.items.map(orgView), pageInfo: page.pageInfo };
    },
  );
}
