import { z } from 'zod';
import type { EventDefinition } from '../events/registry.ts';
import { policyRulesSchema } from './types.ts';

const schemas = {
  PolicyDrafted: z.object({ orgId: z.uuid(), version: z.number().int().positive(), description: z.string(), rules: policyRulesSchema, hash: z.string() }),
  PolicyPublished: z.object({ orgId: z.uuid(), version: z.number().int().positive(), hash: z.string(), supersedes: z.number().int().positive().nullable() }),
} as const;

type Schemas = typeof schemas;
export type PolicyEvent = { [Type in keyof Schemas]: { type: Type; data: z.infer<Schemas[Type]> } }[keyof Schemas];

export const policyEventDefinitions: readonly EventDefinition[] = Object.entries(schemas).map(([type, schema]) => ({ type, schemaVersion: 1, schema }));

export const policyStream = (orgId: string) => `policy-${orgId}`;
