import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { roleNameSchema } from '../../domain/roster/fields.ts';
import { isAppError } from '../../domain/shared/app-error.ts';
import { uuidSchema } from '../../domain/shared/ids.ts';
import type { JsonDocument } from '../../infra/documents/port.ts';
import { withoutBookkeeping } from '../../projections/read-model-writes.ts';
import { ASSOCIATIONS } from '../../projections/read-models/roster.ts';
import { sendError } from '../command-reply.ts';
import { RequestAccess } from '../graphql/access.ts';
import { associationInForce, orgFamilyAccess } from '../list-scope.ts';
import type { Platform } from '../platform.ts';
import { equalities, listPage } from './list-page.ts';
import { orgIdParam } from './orgs.ts';
import { pageInfoReply, pageQueryFields, pageWindow } from './page-query.ts';
import { readModelsBehind } from './read-models-behind.ts';
import { readErrors, readReply, principalReply } from '../openapi/responses.ts';
import type { ZodRequestTypes } from '../routing/request-schemas.ts';

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

const associationItem = z.object({
  associationId: z.uuid(),
  orgId: z.uuid(),
  subjectId: z.uuid(),
  role: z.string(),
  jobSpace: z.string().nullable(),
  expiresAt: z.string().nullable(),
  parentSubjectId: z.uuid().nullable(),
  grantedBy: principalReply,
  grantedAt: z.string(),
  applicationId: z.uuid().nullable(),
  status: z.enum(['active', 'revoked', 'expired']),
  endedAt: z.string().nullable(),
  endReason: z.string().nullable(),
  active: z.boolean().describe('counts now: status active and not past its expiry'),
});
const associationsReply = z.object({
  orgId: z.uuid(),
  associations: z.array(associationItem),
  pageInfo: pageInfoReply,
});

/**
 * `GET /orgs/:orgId/associations`: the org's role associations a page at a time (the roster read answers them all at
 * once), decided as GraphQL's `associations(orgId)` is (`roster.read`, api/list-scope.ts).
 */
export async function associationListRoutes(app: FastifyInstance, platform: Platform): Promise<void> {
  const routes = app.withTypeProvider<ZodRequestTypes>();
  routes.get(
    '/orgs/:orgId/associations',
    {
      schema: {
        summary: "An org's role associations",
        description:
          "Action `roster.read` (default policy: the org's members; platform admins), query `ReadRoster`, from the associations read model once it has reached the head of the log (503 READ_MODEL_BEHIND otherwise). Newest grant first by default; filters are AND-ed (`active` is decided at the request's instant); pages follow `pageInfo.endCursor` (400 INVALID_CURSOR for a cursor of another list or order).",
        tags: ['roster'],
        params: z.object(orgIdParam),
        querystring: associationsQuery,
        response: { '200': readReply("A page of the org's associations", associationsReply), ...readErrors },
      },
    },
    async (request, reply) => {
      const params = request.params;
      const query = request.query;
      const { orgId } = params;
      const now = new Date().toISOString();
      const allowed = await orgFamilyAccess(new RequestAccess(platform.loader, request.principal, now), orgId, 'roster.read');
      if (isAppError(allowed)) return sendError(reply, allowed);
      const behind = await readModelsBehind(platform, ['roster']);
      if (behind) return sendError(reply, behind);
      const { active } = query;
      const page = await listPage(platform.docs, {
        collection: ASSOCIATIONS,
        scope: { field: 'orgId', op: 'eq', value: orgId },
        // Most selective first; `active: true` narrows to status active in the store, the expiry is checked per item.
        filters: [...equalities(query, ['subjectId', 'role', 'status']), ...(active === true ? [{ field: 'status', value: 'active' }] : [])],
        ...pageWindow(query, 'grantedAt'),
        ...(active === undefined ? {} : { admit: async (document: JsonDocument) => associationInForce(document, now) === active }),
      });
      if (isAppError(page)) return sendError(reply, page);
      return {
        orgId,
        associations: page.items.map((document) => ({ ...withoutBookkeeping(document), active: associationInForce(document, now) })),
        pageInfo: page.pageInfo,
      };
    },
  );
}
