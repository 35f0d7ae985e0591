import { z } from 'zod';
import type { EventData, EventDefinition, EventUnion } from '../events/registry.ts';

const ruleEvaluation = z.object({
  ruleId: z.string(),
  effect: z.enum(['permit', 'forbid']),
  outcome: z.enum(['applies', 'not-applicable', 'error']),
  detail: z.string().optional(),
});

/** The stream whose state the command was decided on, and its revision then (decimal string; -1 before any event). */
const decisionBasis = z.object({ streamId: z.string(), revision: z.string().regex(/^-?\d{1,20}$/) });
export type DecisionBasis = z.infer<typeof decisionBasis>;

/**
 * What finally became of the command, beside what the policy said (`outcome`): a permit is not a change. The policy
 * may permit a grant that the org's structure then refuses (ROLE_MAX_HOLDERS, ROLE_CONFLICT...): the audit must tell
 * that apart from a grant that happened.
 * - `applied`: the change was appended with this decision (same append);
 * - `refused-by-policy`: this decision, or another org's consent the command also needed, did not permit it;
 * - `refused-by-structure`: the policy permitted it and the org's own invariants refused it, with the error the
 *   caller got (`code`, `message`, `kind`); `basis` is the state it was refused on, final because the stream was
 *   still at that revision when the refusal was recorded;
 * - `unrecorded`: a decision recorded before outcomes were (schema v1); see the upcaster.
 */
export const decisionResultSchema = z.discriminatedUnion('status', [
  z.object({ status: z.literal('applied'), basis: decisionBasis }),
  z.object({ status: z.literal('refused-by-policy') }),
  z.object({
    status: z.literal('refused-by-structure'),
    kind: z.enum(['conflict', 'forbidden', 'unprocessable']),
    code: z.string().max(200),
    message: z.string().max(2000),
    basis: decisionBasis,
  }),
  z.object({ status: z.literal('unrecorded') }),
]);
export type DecisionResult = z.infer<typeof decisionResultSchema>;
export type StructuralRefusal = Omit<Extract<DecisionResult, { status: 'refused-by-structure' }>, 'status' | 'basis'>;

/**
 * One governance decision with everything needed to explain it and to evaluate it again later: the request as the
 * policy saw it (principal with effective roles, action, resource, org, command, time), the policy version and hash,
 * every rule's outcome, and what became of the command (`result`). Appended with the change it permitted, or to
 * `audit-<orgId>` when the command was refused.
 */
export const decisionRecordedDataSchema = z.object({
  decisionId: z.string(),
  orgId: z.string().nullable(),
  action: z.string(),
  outcome: z.enum(['permitted', 'forbidden', 'not-permitted']),
  determiningRuleIds: z.array(z.string()),
  reasons: z.array(z.string()),
  escalateTo: z.string().nullable(),
  evaluations: z.array(ruleEvaluation),
  errors: z.array(z.object({ ruleId: z.string(), condition: z.enum(['when', 'unless']), message: z.string() })),
  policy: z.object({
    /** `org`: the org's published version; `default`: the built-in default (no version published yet); `none`: not an org action. */
    source: z.enum(['org', 'default', 'none']),
    version: z.number().int().nullable(),
    hash: z.string(),
  }),
  platformPolicyHash: z.string(),
  /** Roster revision the principal's roles were read at (decimal string), null outside an org. */
  rosterRevision: z.string().nullable(),
  request: z.record(z.string(), z.unknown()),
  result: decisionResultSchema,
});
export type DecisionRecordedData = z.infer<typeof decisionRecordedDataSchema>;

/**
 * v1 had no `result`. A denial is known to have refused the command; a v1 permit was recorded both with the change
 * and (in `audit-<orgId>`) when the structure refused the command, and neither its data nor its metadata tell which,
 * so it is `unrecorded` rather than guessed.
 */
export const decisionRecordedV1ToV2 = (data: EventData): EventData => ({
  ...data,
  result: data.outcome === 'permitted' ? { status: 'unrecorded' } : { status: 'refused-by-policy' },
});

/**
 * v2 rather than an optional field: every reader (read model, replay, GraphQL) then sees one required shape, and the
 * one place that knows about old events is the upcaster.
 */
export const decisionEventDefinitions = [
  { type: 'DecisionRecorded', schemaVersion: 2, schema: decisionRecordedDataSchema, upcasters: { 1: decisionRecordedV1ToV2 } },
] as const satisfies readonly EventDefinition[];

export type DecisionRecorded = EventUnion<typeof decisionEventDefinitions>;

export const auditStream = (orgId: string | null) => `audit-${orgId ?? 'platform'}`;
