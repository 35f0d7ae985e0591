import { z } from 'zod';
import { instantSchema, orgInputSchema, requestInputSchema } from './request-schema.ts';

/**
 * A policy test file (YAML or JSON): cases, each a request and the decision the policy must reach for it.
 *
 *   defaults:                # optional: what every case's request has unless it says otherwise
 *     now: 2026-03-02T10:00:00Z
 *     org: { tags: [support] }
 *   cases:
 *     - name: the lead staffs the desk
 *       request: { principal: { id: dana, roles: [lead] }, action: roster.role.grant, command: { ... } }
 *       expect: { outcome: permitted, rules: [lead-staffs-the-desk] }
 *     - name: nobody else does
 *       request: { principal: { id: tim, roles: [tier1] }, action: roster.role.grant }
 *       expect: not-permitted            # shorthand for { outcome: not-permitted }
 */

/** `denied` is either way of being refused: forbidden by a rule, or not permitted by any. */
export const expectedOutcomeSchema = z.enum(['permitted', 'forbidden', 'not-permitted', 'denied']);
export type ExpectedOutcome = z.infer<typeof expectedOutcomeSchema>;

export const expectationSchema = z.preprocess(
  (value) => (typeof value === 'string' ? { outcome: value } : value),
  z.strictObject({
    outcome: expectedOutcomeSchema,
    /** The determining rules, in any order: the forbids that applied, or the permits that applied. */
    rules: z.array(z.string().min(1).max(200)).max(1000).optional(),
    /** The escalation target the decision names (null: none). */
    escalateTo: z.string().min(1).max(100).nullable().optional(),
  }),
);
export type Expectation = z.infer<typeof expectationSchema>;

export const testCaseSchema = z.strictObject({
  name: z.string().trim().min(1).max(200),
  request: requestInputSchema,
  expect: expectationSchema,
});

export const MAX_CASES = 10_000;

/** The file's frame; each case is checked on its own (so every case's problems are reported, by its name). */
export const testFileSchema = z.strictObject({
  description: z.string().max(2000).optional(),
  defaults: z.strictObject({ now: instantSchema.optional(), org: orgInputSchema.optional() }).optional(),
  cases: z.array(z.unknown()).min(1, 'a test file needs at least one case').max(MAX_CASES),
});
