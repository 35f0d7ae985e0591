import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { orgSchema, orgStatusSchema } from '../../domain/org/state.ts';
import { uuidSchema } from '../../domain/shared/ids.ts';
import { ORGS, orgView } from '../../projections/read-models/orgs.ts';
import { orgListScope } from '../list-scope.ts';
import type { Platform } from '../platform.ts';
import { scopedListRoute } from './scoped-list-route.ts';
import { pageInfoReply, pageQueryFields } from './page-query.ts';

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
  scopedListRoute(app, platform, {
    url: '/orgs',
    summary: 'List the orgs the caller may read',
    description:
      'Platform admins: every org. A subject: the orgs it owns or holds an active role in, each decided by `org.read` (an org that lets non-members read it is readable by id or slug, not listed). Newest first by default; filters are AND-ed; pages follow `pageInfo.endCursor` (400 INVALID_CURSOR for a cursor of another list or order). Waits (at most 5 s) for the read models to reach the head of the log (503 READ_MODEL_BEHIND).',
    tags: ['orgs'],
    querystring: orgsQuery,
    reply: ['A page of orgs', orgsReply],
    // Caught up first: a subject's candidate orgs come from the associations read model.
    readModels: ['orgs', 'roster'],
    scope: (access) => orgListScope(platform.docs, access),
    collection: ORGS,
    filters: ['status', 'parentOrgId'],
    sortField: 'registeredAt',
    key: 'orgs',
    view: orgView,
  });
}
