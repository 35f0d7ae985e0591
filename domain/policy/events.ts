import { z } from 'zod';
import { version1Definitions, type EventUnion } from '../events/registry.ts';
import { policyRulesSchema } from './types.ts';

const schemas = {
  PolicyDrafted: z.object({ orgId: z.uuid(), version: z.number().int().positive(), description: z.string(), rules: policyRulesSchema, hash: z.string() }),
  PolicyPublished: z.object({ orgId: z.uuid(), version: z.number().int().positive(), hash: z.string(), supersedes: z.number().int().positive().nullable() }),
} as const;

export const policyEventDefinitions = version1Definitions(schemas);

export type PolicyEvent = EventUnion<typeof policyEventDefinitions>;

export const policyStream = (orgId: string) => `policy-${orgId}`;
