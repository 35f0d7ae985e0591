import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { isAppError } from '../../domain/shared/app-error.ts';
import { subjectKindSchema } from '../../domain/subject/fields.ts';
import { SUBJECTS, subjectView } from '../../projections/read-models/subjects.ts';
import { sendError } from '../command-reply.ts';
import { RequestAccess } from '../graphql/access.ts';
import { subjectListScope } from '../list-scope.ts';
import type { Platform } from '../platform.ts';
import { equalities, listPage } from './list-page.ts';
import { pageInfoReply, pageQueryFields, pageWindow } from './page-query.ts';
import { readModelsBehind } from './read-models-behind.ts';
import { subjectReply } from './subjects.ts';
import { readErrors, readReply } from '../openapi/responses.ts';
import type { ZodRequestTypes } from '../routing/request-schemas.ts';

export const subjectsQuery = z.strictObject({
  kind: subjectKindSchema.optional().describe('only subjects of this kind'),
  status: z.enum(['active', 'suspended']).optional().describe('only subjects with this status'),
  ...pageQueryFields('registration time'),
});

const subjectItem = subjectReply.omit({ revision: true }).extend({ registeredAt: z.string(), updatedAt: z.string() });
const subjectsReply = z.object({
  subjects: z.array(subjectItem),
  pageInfo: pageInfoReply,
});

/**
 * `GET /subjects`: the subjects the caller may read (`subject.read`, platform level), scoped as GraphQL's `subjects`
 * is (api/list-scope.ts): platform admins see every subject, a subject itself only.
 */
export async function subjectListRoutes(app: FastifyInstance, platform: Platform): Promise<void> {
  const routes = app.withTypeProvider<ZodRequestTypes>();
  routes.get(
    '/subjects',
    {
      schema: {
        summary: 'List the subjects the caller may read',
        description:
          'Action `subject.read` (platform policy): platform admins see every subject, a subject itself only. Newest first by default; filters are AND-ed; pages follow `pageInfo.endCursor` (400 INVALID_CURSOR for a cursor of another list or order). Waits (at most 5 s) for the subjects read model to reach the head of the log (503 READ_MODEL_BEHIND).',
        tags: ['subjects'],
        querystring: subjectsQuery,
        response: { '200': readReply('A page of subjects', subjectsReply), ...readErrors },
      },
    },
    async (request, reply) => {
      const query = request.query;
      const access = new RequestAccess(platform.loader, request.principal, new Date().toISOString());
      const scope = subjectListScope(access);
      if (isAppError(scope)) return sendError(reply, scope);
      const behind = await readModelsBehind(platform, ['subjects']);
      if (behind) return sendError(reply, behind);
      const page = await listPage(platform.docs, {
        collection: SUBJECTS,
        scope: scope.filter,
        filters: equalities(query, ['kind', 'status']),
        ...pageWindow(query, 'registeredAt'),
        admit: scope.admit,
      });
      if (isAppError(page)) return sendError(reply, page);
      return { subjects: page.items.map(subjectView), pageInfo: page.pageInfo };
    },
  );
}
