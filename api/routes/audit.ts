import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { isAppError } from '../../domain/shared/app-error.ts';
import { uuidSchema } from '../../domain/shared/ids.ts';
import { jobSpaceNameSchema } from '../../domain/roster/fields.ts';
import { policyRulesSchema } from '../../domain/policy/types.ts';
import { reevaluationReportSchema, whatIfReportSchema } from '../../domain/audit/report.ts';
import { hasStructureChanges, structureChangesSchema } from '../../domain/audit/structure.ts';
import { stateViewSchema } from '../../domain/audit/state-view.ts';
import {
  DEFAULT_MAX_ITEMS,
  MAX_DECISIONS_PER_CALL,
  MAX_ITEMS,
  orgStateAt,
  reevaluateOrg,
  resolveDraft,
  whatIfOrg,
  type RangeQuery,
} from '../../commands/audit/replay.ts';
import type { Platform } from '../platform.ts';
import { errors, readErrors } from '../openapi/responses.ts';
import { orgReadRoute } from '../routing/org-read-route.ts';

const tags = ['audit'];

/** A global position: a decimal string (EventStoreDB's are 64-bit) in a query, a string or a safe integer in a body. */
const positionText = z.string().regex(/^\d{1,20}$/, 'a position: a non-negative decimal integer');
const positionInQuery = positionText.transform((text) => BigInt(text));
const positionInBody = z.union([positionText, z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER)]).transform((value) => BigInt(value));
const instant = z.iso.datetime({ offset: true, message: 'an ISO-8601 instant with a time zone, e.g. 2026-01-15T22:00:00Z' });

const stateShape = {
  position: positionInQuery.optional().describe('the state after every event at or before this global position (at most the head)'),
  at: instant.optional().describe('the state at this instant: cut at the last event of the org whose occurredAt is at or before it'),
  subjectId: uuidSchema.optional().describe("also give this subject's effective roles at the instant of the cut"),
  jobSpace: z
    .union([jobSpaceNameSchema, z.literal('*')])
    .optional()
    .describe("with subjectId: roles in this job space too ('*': every job space); default org-wide only"),
};
const stateQuery = z.strictObject(stateShape).superRefine((query, context) => {
  if (query.position !== undefined && query.at !== undefined) context.addIssue({ code: 'custom', path: ['at'], message: 'give position or at, not both' });
  if (query.jobSpace !== undefined && query.subjectId === undefined)
    context.addIssue({ code: 'custom', path: ['jobSpace'], message: 'jobSpace needs subjectId' });
});

const rangeShape = (position: typeof positionInQuery | typeof positionInBody) => ({
  from: position.optional().describe('first position (inclusive)'),
  to: position.optional().describe('last position (inclusive; default and at most the head of the log)'),
  since: instant.optional().describe('only decisions recorded at or after this instant'),
  until: instant.optional().describe('only decisions recorded at or before this instant'),
  limit: z.coerce
    .number()
    .int()
    .min(1)
    .max(MAX_DECISIONS_PER_CALL)
    .optional()
    .describe(`at most this many decisions per call (default and maximum ${MAX_DECISIONS_PER_CALL}); continue at range.next`),
  maxItems: z.coerce
    .number()
    .int()
    .min(0)
    .max(MAX_ITEMS)
    .optional()
    .describe(`list at most this many items of each kind (default ${DEFAULT_MAX_ITEMS}, at most ${MAX_ITEMS}); every item is counted`),
});

interface RangeFields {
  from?: bigint | undefined;
  to?: bigint | undefined;
  since?: string | undefined;
  until?: string | undefined;
  limit?: number | undefined;
  maxItems?: number | undefined;
}

function checkRange(range: RangeFields, context: z.RefinementCtx): void {
  if (range.from !== undefined && range.to !== undefined && range.from > range.to)
    context.addIssue({ code: 'custom', path: ['to'], message: 'to must not be before from' });
  if (range.since !== undefined && range.until !== undefined && Date.parse(range.since) > Date.parse(range.until)) {
    context.addIssue({ code: 'custom', path: ['until'], message: 'until must not be before since' });
  }
}

const reevaluateShape = rangeShape(positionInQuery);
const reevaluateQuery = z.strictObject(reevaluateShape).superRefine(checkRange);

function draftRulesJsonSchema(): Record<string, unknown> {
  const { $schema: _dialect, ...schema } = z.toJSONSchema(policyRulesSchema, { io: 'input', unrepresentable: 'any' });
  return schema;
}

const INLINE_RULES = 'or rules given inline, validated as a draft would be (400 POLICY_INVALID with positions)';
const whatIfShape = {
  version: z.number().int().positive().optional().describe("a version of the org's policy stream (draft, published or superseded)"),
  // Validated as a draft is (POLICY_INVALID with positions, resolveDraft), so documented with a draft's schema.
  rules: z
    .unknown()
    .optional()
    .meta({ ...draftRulesJsonSchema(), description: INLINE_RULES }),
  structure: structureChangesSchema
    .optional()
    .describe("changes to the org's roster (a role's maxHolders, role conflicts withdrawn) that its past grants are decided again with"),
  ...rangeShape(positionInBody),
};
const whatIfBody = z.strictObject(whatIfShape).superRefine((body, context) => {
  if (body.version !== undefined && body.rules !== undefined)
    context.addIssue({ code: 'custom', path: ['version'], message: 'give version or rules, not both' });
  if (body.version === undefined && body.rules === undefined && !hasStructureChanges(body.structure)) {
    context.addIssue({ code: 'custom', path: ['version'], message: 'give version or rules, or structure changes' });
  }
  checkRange(body, context);
});

function rangeOf(fields: RangeFields): RangeQuery {
  const range: RangeQuery = {};
  if (fields.from !== undefined) range.from = fields.from;
  if (fields.to !== undefined) range.to = fields.to;
  if (fields.since !== undefined) range.since = fields.since;
  if (fields.until !== undefined) range.until = fields.until;
  if (fields.limit !== undefined) range.limit = fields.limit;
  if (fields.maxItems !== undefined) range.maxItems = fields.maxItems;
  return range;
}

const auditErrors = { ...readErrors, ...errors(422) };

const rangeDescription =
  `Range: positions from/to (inclusive) and/or times since/until (the decision's recorded instant), intersected; the head of the log when the call starts caps it. ` +
  `Bounded work: at most ${MAX_DECISIONS_PER_CALL.toLocaleString('en-US')} decisions per call (limit); when range.complete is false, call again with from=range.next (and to=range.head) for the rest. ` +
  `Decisions are found by scanning every DecisionRecorded of the log (an org's decisions live in many streams).`;

/**
 * Audit replay: an org's state as of a position or an instant; every recorded decision re-evaluated with its
 * recorded request and policy version; a draft policy evaluated against the recorded requests ("what would flip").
 * Reads, governed by `audit.read` on the org like GET /orgs/:orgId/decisions.
 */
export async function auditRoutes(app: FastifyInstance, platform: Platform): Promise<void> {
  const source = { store: platform.store, registry: platform.registry };

  orgReadRoute(app, platform, {
    url: '/audit/orgs/:orgId/state',
    summary: "An org's state as of a position or an instant",
    description:
      "Action `audit.read` (default policy: the org's members). The org (org stream), its roster and its policy sets, folded from the log up to the cut, " +
      'with the effective roles of its members (and of `subjectId`) at the instant of the cut. `position`: every event at or before it (422 POSITION_NOT_REACHED beyond the head); ' +
      "`at`: cut at the last event of the org's streams whose occurredAt is at or before it (positions are the reliable order; clocks are not); neither: the head, now.",
    tags,
    querystring: stateQuery,
    reply: ['The state as of the cut', stateViewSchema],
    errors: auditErrors,
    action: 'audit.read',
    read: ({ query }) => ({
      type: 'ReadAuditState',
      data: { position: query.position?.toString() ?? null, at: query.at ?? null, subjectId: query.subjectId ?? null },
    }),
    answer: ({ orgId, query }) =>
      orgStateAt(source, orgId, {
        cut: query.position !== undefined ? { position: query.position } : query.at !== undefined ? { at: query.at } : {},
        ...(query.subjectId === undefined ? {} : { subject: { subjectId: query.subjectId, jobSpace: query.jobSpace ?? null } }),
      }),
  });

  orgReadRoute(app, platform, {
    url: '/audit/orgs/:orgId/reevaluate',
    summary: "Re-evaluate an org's recorded decisions",
    description:
      'Action `audit.read`. Every DecisionRecorded of the org in the range is evaluated again with its RECORDED request and the RECORDED policy version ' +
      '(source org: that version as drafted in the policy stream, whose hash must match; default: the default org policy, if its hash still matches; none: no org rules), ' +
      "with the running code's platform policy when its hash matches the recorded one; a decision made under another platform policy is reported unverifiable " +
      "(PLATFORM_POLICY_CHANGED), not compared. The principal's recorded roles are checked against the roster at the recorded revision. " +
      rangeDescription,
    tags,
    querystring: reevaluateQuery,
    reply: ['The re-evaluation report: total, agreed, differed, unverifiable', reevaluationReportSchema],
    errors: auditErrors,
    action: 'audit.read',
    read: ({ query }) => ({ type: 'ReevaluateDecisions', data: describeRange(rangeOf(query)) }),
    answer: ({ orgId, query }) => reevaluateOrg(source, orgId, rangeOf(query)),
  });

  orgReadRoute(app, platform, {
    method: 'POST',
    url: '/audit/orgs/:orgId/what-if',
    summary: 'Evaluate a draft policy against recorded decisions',
    description:
      "Action `audit.read` (a read: nothing is appended). The draft (a `version` of the org's policy stream, or `rules` inline) replaces the org rules each decision in the range " +
      'was made with (the platform policy kept) and is evaluated against the RECORDED request; every decision whose outcome would change is listed with the recorded and the ' +
      'hypothetical decision side by side, with counts by action and by kind (permitted->forbidden, not-permitted->permitted, ...). Decisions made before the org existed are skipped. ' +
      "`structure` (with or without a draft): changes to the org's roster (`roles: {<name>: {maxHolders}}`, `withdrawConflicts: [[a, b]]`); every command on the roster that was " +
      'applied or refused by the structure is decided again by the roster on the state it was decided on, with the changes, and every result that would change is listed ' +
      '(structure.flips: now-applied, now-refused, other-refusal). ' +
      rangeDescription,
    tags,
    body: whatIfBody,
    reply: ['The what-if report', whatIfReportSchema],
    errors: auditErrors,
    action: 'audit.read',
    read: ({ body }) => ({
      type: 'WhatIf',
      data: {
        ...describeRange(rangeOf(body)),
        version: body.version ?? null,
        rules: body.rules === undefined ? null : 'inline',
        structure: body.structure === undefined ? null : 'inline',
      },
    }),
    answer: async ({ orgId, body }) => {
      const draftInput = body.version !== undefined ? { version: body.version } : body.rules !== undefined ? { rules: body.rules } : null;
      const draft = draftInput === null ? null : await resolveDraft(source, orgId, draftInput);
      return isAppError(draft) ? draft : whatIfOrg(source, orgId, draft, rangeOf(body), body.structure);
    },
  });
}

/** A range as policy conditions see it (`command.data`): JSON values only. */
function describeRange(range: RangeQuery): Record<string, unknown> {
  return {
    from: range.from?.toString() ?? null,
    to: range.to?.toString() ?? null,
    since: range.since ?? null,
    until: range.until ?? null,
  };
}
