import { z } from 'zod';
import { orgStatusSchema } from '../../domain/org/state.ts';
import { parseInstant } from '../../domain/policy/cel-input.ts';
import { capabilityLevelSchema, capabilityNameSchema } from '../../domain/subject/fields.ts';

/**
 * A request as a policy test or `policy eval` states it: who asks to do what, about what, when. Everything but the
 * principal and the action has a default (see request.ts), so a case says only what its rules look at.
 */

/** Parsed as the evaluator parses `now`, so an instant accepted here is one conditions can use. */
export const instantSchema = z
  .string()
  .refine((text) => parseInstant(text) !== null, 'expected an ISO-8601 instant with a time zone, e.g. 2026-03-01T09:00:00Z');

const nameSchema = z.string().min(1).max(100);

export const principalInputSchema = z.strictObject({
  id: z.string().min(1).max(200),
  kind: z.enum(['subject', 'admin', 'system']).default('subject'),
  /** The roles it holds in the org (with an org spec, inherited roles are added as the org's roster would). */
  roles: z.array(nameSchema).max(200).optional(),
  groups: z.array(nameSchema).max(200).optional(),
  /** Declared capabilities: name -> level. */
  capabilities: z.record(capabilityNameSchema, capabilityLevelSchema).optional(),
});

export const resourceInputSchema = z.strictObject({
  type: z.string().min(1).max(100).optional(),
  id: z.string().min(1).max(200).nullable().optional(),
  jobSpace: z.string().min(1).max(100).nullable().optional(),
  attributes: z.record(z.string(), z.unknown()).optional(),
});

export const orgInputSchema = z
  .strictObject({
    id: z.string().min(1).max(200),
    status: orgStatusSchema,
    ownerId: z.string().min(1).max(200).nullable(),
    tags: z.array(z.string().max(100)).max(100),
    metadata: z.record(z.string(), z.string()),
  })
  .partial();

export const commandInputSchema = z.strictObject({
  /** The command's type as the API names it (`GrantRole`), which conditions see as `command.type`. */
  type: z.string().max(100).optional(),
  /** Its payload, which conditions see as `command.data`. */
  data: z.unknown().optional(),
});

export const requestInputSchema = z.strictObject({
  principal: principalInputSchema,
  action: z.string().min(1).max(200),
  resource: resourceInputSchema.optional(),
  org: orgInputSchema.optional(),
  command: commandInputSchema.optional(),
  now: instantSchema.optional(),
});

export type RequestInput = z.infer<typeof requestInputSchema>;
export type OrgInput = z.infer<typeof orgInputSchema>;
