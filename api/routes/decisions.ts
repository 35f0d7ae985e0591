import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { appError, isAppError } from '../../domain/shared/app-error.ts';
import { DECISIONS } from '../../projections/read-models/decisions.ts';
import { sendError } from '../command-reply.ts';
import type { Platform } from '../platform.ts';
import { authorizeRead, platformRead } from '../read-access.ts';
import { readErrors, readReply } from '../openapi/responses.ts';
import { orgReadRoute } from '../routing/org-read-route.ts';
import type { ZodRequestTypes } from '../routing/request-schemas.ts';

const outcomeSchema = z.enum(['permitted', 'forbidden', 'not-permitted']);
const resultSchema = z.enum(['applied', 'refused-by-policy', 'refused-by-structure', 'unrecorded']);
const decisionsQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(500).default(50).describe('at most this many decisions (1-500, default 50)'),
  outcome: outcomeSchema.optional().describe("only decisions with this outcome (the policy's answer)"),
  result: resultSchema.optional().describe('only decisions whose command ended so (applied, refused-by-policy, refused-by-structure)'),
});
const refusalSchema = z.object({
  kind: z.enum(['conflict', 'forbidden', 'unprocessable']),
  code: z.string().describe('the error code the caller got, e.g. ROLE_MAX_HOLDERS'),
  message: z.string(),
});

const requestPrincipal = z.object({ id: z.string(), kind: z.string(), roles: z.array(z.string()) });

const decisionItem = z.object({
  decisionId: z.string(),
  position: z.string().describe('global position of the decision in the log'),
  streamId: z.string().describe('where it was recorded: the changed stream when permitted, audit-<orgId> when denied'),
  occurredAt: z.string(),
  principal: z.object({ id: z.string(), kind: z.string(), roles: z.array(z.string()).describe('effective roles at that instant') }),
  action: z.string(),
  outcome: outcomeSchema.describe("the policy's answer"),
  result: resultSchema.describe(
    "what became of the command: applied with this decision, refused by policy, refused by the org's structure after the policy permitted it (see refusal), or unrecorded (a decision recorded before results were)",
  ),
  refusal: refusalSchema.nullable().describe('for refused-by-structure: the refusal the caller got'),
  reasons: z.array(z.string()),
  determiningRuleIds: z.array(z.string()),
  escalateTo: z.string().nullable(),
  policy: z.object({ source: z.enum(['org', 'default', 'none']), version: z.int().nullable(), hash: z.string() }),
});
const decisionsReply = z.object({ orgId: z.uuid(), decisions: z.array(decisionItem).describe('newest first') });

/** The governance decisions recorded for an org: permitted ones (with the change) and denied ones (audit-<orgId>). */
export async function decisionRoutes(app: FastifyInstance, platform: Platform): Promise<void> {
  orgReadRoute(app, platform, {
    url: '/orgs/:orgId/decisions',
    summary: "An org's recorded decisions",
    description:
      "Action `audit.read` (default policy: the org's members). DecisionRecorded events of the org, newest first: the policy's answer (`outcome`) and what became of the command " +
      '(`result`; a grant the policy permitted and the roster refused is `refused-by-structure` with the `refusal` code, e.g. ROLE_MAX_HOLDERS).',
    tags: ['decisions'],
    querystring: decisionsQuery,
    reply: ['The decisions', decisionsReply],
    action: 'audit.read',
    read: ({ query }) => ({ type: 'ReadDecisions', data: decisionsRead(query) }),
    answer: async ({ orgId, query }) => ({ orgId, decisions: await listDecisions(platform, orgId, query) }),
  });

  const routes = app.withTypeProvider<ZodRequestTypes>();
  routes.get(
    '/platform/decisions',
    {
      schema: {
        summary: 'Platform-level recorded decisions',
        description:
          'Action `audit.read` outside any org (platform policy: platform admins). Decisions about commands that belong to no org: subjects, API keys, org registrations denied before the org existed.',
        tags: ['decisions'],
        querystring: decisionsQuery,
        response: { '200': readReply('The decisions', z.object({ orgId: z.null(), decisions: z.array(decisionItem) })), ...readErrors },
      },
    },
    async (request, reply) => {
      const query = request.query;
      const read = platformRead('audit.read', { type: 'audit', id: 'platform' }, { type: 'ReadPlatformDecisions', data: decisionsRead(query) });
      const allowed = await authorizeRead(platform.loader, request.principal, read);
      if (isAppError(allowed)) return sendError(reply, allowed);
      return { orgId: null, decisions: await listDecisions(platform, null, query) };
    },
  );
}

/** The filters of a decisions read, as the policy sees them (`command.data`). */
function decisionsRead(query: z.infer<typeof decisionsQuery>): Record<string, unknown> {
  return { limit: query.limit, outcome: query.outcome ?? null, result: query.result ?? null };
}

const storedDecision = z.object({
  _id: z.string(),
  position: z.string(),
  streamId: z.string(),
  occurredAt: z.string(),
  principal: requestPrincipal.nullable(),
  action: z.string(),
  outcome: outcomeSchema,
  result: resultSchema,
  refusal: refusalSchema.nullable(),
  reasons: z.array(z.string()),
  determiningRuleIds: z.array(z.string()),
  escalateTo: z.string().nullable(),
  policy: decisionItem.shape.policy,
});

/**
 * The org's (or, for null, the platform's) decisions from the decisions read model, newest first. Read-your-writes:
 * it first waits (briefly) for the read models to reach the head of the log, so a decision just recorded is listed.
 */
async function listDecisions(platform: Platform, orgId: string | null, query: z.infer<typeof decisionsQuery>): Promise<Array<z.infer<typeof decisionItem>>> {
  const head = await platform.store.headPosition();
  if (!(await platform.projections.waitFor(head, 5000, 'decisions'))) {
    throw appError('unavailable', 'READ_MODEL_BEHIND', 'the decisions read model has not caught up with the log yet; retry shortly', {
      position: head.toString(),
    });
  }
  const filter = {
    and: [
      { field: 'orgId', op: 'eq' as const, value: orgId },
      ...(query.outcome === undefined ? [] : [{ field: 'outcome', op: 'eq' as const, value: query.outcome }]),
      ...(query.result === undefined ? [] : [{ field: 'result', op: 'eq' as const, value: query.result }]),
    ],
  };
  const page = await platform.docs.find(DECISIONS, { filter, sort: [{ field: 'position', direction: 'desc' }], limit: query.limit });
  return page.items.map((item) => {
    const stored = storedDecision.parse(item);
    return {
      decisionId: stored._id,
      // Stored zero-padded so that it sorts as text; answered as the plain decimal position.
      position: BigInt(stored.position).toString(),
      streamId: stored.streamId,
      occurredAt: stored.occurredAt,
      principal: stored.principal ?? { id: 'unknown', kind: 'unknown', roles: [] },
      action: stored.action,
      outcome: stored.outcome,
      result: stored.result,
      refusal: stored.refusal,
      reasons: stored.reasons,
      determiningRuleIds: stored.determiningRuleIds,
      escalateTo: stored.escalateTo,
      policy: stored.policy,
    };
  });
}
