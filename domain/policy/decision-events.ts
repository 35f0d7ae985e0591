import { z } from 'zod';
import type { EventDefinition } from '../events/registry.ts';

const ruleEvaluation = z.object({
  ruleId: z.string(),
  effect: z.enum(['permit', 'forbid']),
  outcome: z.enum(['applies', 'not-applicable', 'error']),
  detail: z.string().optional(),
});

/**
 * One governance decision with everything needed to explain it and to evaluate it again later: the request as the
 * policy saw it (principal with effective roles, action, resource, org, command, time), the policy version and hash,
 * and every rule's outcome. Appended with the change it permitted, or to `audit-<orgId>` when it denied.
 */
const decisionRecordedData = z.object({
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
});
export type DecisionRecordedData = z.infer<typeof decisionRecordedData>;

export const decisionEventDefinitions = [
  { type: 'DecisionRecorded', schemaVersion: 1, schema: decisionRecordedData },
] as const satisfies readonly EventDefinition[];

export type DecisionRecorded = { type: 'DecisionRecorded'; data: DecisionRecordedData };

export const auditStream = (orgId: string | null) => `audit-${orgId ?? 'platform'}`;
