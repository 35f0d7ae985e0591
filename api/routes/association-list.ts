import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { roleNameSchema } from '../../domain/roster/fields.ts';
import { isAppError } from '../../domain/shared/app-error.ts';
import { uuidSchema } from '../../domain/shared/ids.ts';
import type { JsonDocument } from '../../infra/documents/port.ts';
import { withoutBookkeeping } from '../../projections/read-model-writes.ts';
import { ASSOCIATIONS } from '../../projections/read-models/roster.ts';
import { associationInForce } from '../list-scope.ts';
import type { Platform } from '../platform.ts';
import { equalities, listPage } from './list-page.ts';
import { pageInfoReply, pageQueryFields, pageWindow } from './page-query.ts';
import { principalReply } from '../openapi/responses.ts';
import { orgReadRoute } from '../routing/org-read-route.ts';

export const associationsQuery = z.strictObject({
  subjectId: uuidSchema.optional().describe("only this subject's associations"),
  role: roleNameSchema.optional().describe('only associations with this role'),
  status: z.enum(['active', 'revoked', 'expired']).optional().describe('only associations with this status'),
  active: z
    .enum(['true', 'false'])
    .transform((value) => value === 'true')
    .optional()
    .describe('only associations in force now (true: active and not past their expiry) or not (false)'),
  ...pageQueryFields('grant time'),
});

/** An association's grant, as the roster and the list of associations answer it. */
export const associationGrantReply = {
  subjectId: z.uuid(),
  role: z.string(),
  jobSpace: z.string().nullable(),
  expiresAt: z.string().nullable(),
  parentSubjectId: z.uuid().nullable(),
  grantedBy: principalReply,
  grantedAt: z.string(),
  applicationId: z.uuid().nullable(),
};

/** Whether an association counts at the instant of the read (associationInForce). */
export const associationActiveReply = z.boolean().describe('counts now: status active and not past its expiry');

const associationItem = z.object({
  associationId: z.uuid(),
  orgId: z.uuid(),
  ...associationGrantReply,
  status: z.enum(['active', 'revoked', 'expired']),
  endedAt: z.string().nullable(),
  endReason: z.string().nullable(),
  active: associationActiveReply,
});
const associationsReply = z.object({
  orgId: z.uuid(),
  associations: z.array(associationItem),
  pageInfo: pageInfoReply,
});

/**
 * `GET /orgs/:orgId/associations`: the org's role associations a page at a time (the roster read answers them all at
 * once), decided as GraphQL's `associations(orgId)` is (`roster.read`, query `ReadRoster`).
 */
export async function associationListRoutes(app: FastifyInstance, platform: Platform): Promise<void> {
  orgReadRoute(app, platform, {
    url: '/orgs/:orgId/associations',
    summary: "An org's role associations",
    description:
      "Action `roster.read` (default policy: the org's members; platform admins), query `ReadRoster`, from the associations read model once it has reached the head of the log (503 READ_MODEL_BEHIND otherwise). Newest grant first by default; filters are AND-ed (`active` is decided at the request's instant); pages follow `pageInfo.endCursor` (400 INVALID_CURSOR for a cursor of another list or order).",
    tags: ['roster'],
    querystring: associationsQuery,
    reply: ["A page of the org's associations", associationsReply],
    action: 'roster.read',
    read: () => ({ type: 'ReadRoster', data: {} }),
    readModels: ['roster'],
    answer: async ({ orgId, query, now }) => {
      const { active } = query;
      const page = await listPage(platform.docs, {
        collection: ASSOCIATIONS,
        scope: { field: 'orgId', op: 'eq', value: orgId },
        // Most selective first; `active: true` narrows to status active in the store, the expiry is checked per item.
        filters: [...equalities(query, ['subjectId', 'role', 'status']), ...(active === true ? [{ field: 'status', value: 'active' }] : [])],
        ...pageWindow(query, 'grantedAt'),
        ...(active === undefined ? {} : { admit: async (document: JsonDocument) => associationInForce(document, now) === active }),
      });
      if (isAppError(page)) return page;
      return {
        orgId,
        associations: page.items.map((document) => ({ ...withoutBookkeeping(document), active: associationInForce(document, now) })),
        pageInfo: page.pageInfo,
      };
    },
  });
}
