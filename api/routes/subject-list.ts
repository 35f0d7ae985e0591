import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { subjectKindSchema } from '../../domain/subject/fields.ts';
import { SUBJECTS, subjectView } from '../../projections/read-models/subjects.ts';
import { subjectListScope } from '../list-scope.ts';
import type { Platform } from '../platform.ts';
import { scopedListRoute } from './scoped-list-route.ts';
import { pageInfoReply, pageQueryFields } from './page-query.ts';
import { subjectReply } from './subjects.ts';

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
  scopedListRoute(app, platform, {
    url: '/subjects',
    summary: 'List the subjects the caller may read',
    description:
      'Action `subject.read` (platform policy): platform admins see every subject, a subject itself only. Newest first by default; filters are AND-ed; pages follow `pageInfo.endCursor` (400 INVALID_CURSOR for a cursor of another list or order). Waits (at most 5 s) for the subjects read model to reach the head of the log (503 READ_MODEL_BEHIND).',
    tags: ['subjects'],
    querystring: subjectsQuery,
    reply: ['A page of subjects', subjectsReply],
    readModels: ['subjects'],
    scope: subjectListScope,
    collection: SUBJECTS,
    filters: ['kind', 'status'],
    sortField: 'registeredAt',
    key: 'subjects',
    view: subjectView,
  });
}
