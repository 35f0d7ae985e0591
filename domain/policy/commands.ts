import { z } from 'zod';
import { commandSchema } from '../shared/command-schema.ts';
import { uuidSchema } from '../shared/ids.ts';

const orgId = uuidSchema;

export const policyCommandSchema = z.discriminatedUnion('type', [
  /** Rules are validated by the decider (shape, ids, actions, CEL), so every problem comes back with its position. */
  commandSchema('DraftPolicy', z.strictObject({ orgId, description: z.string().max(2000).default(''), rules: z.unknown() })),
  commandSchema('PublishPolicy', z.strictObject({ orgId, version: z.number().int().positive() })),
]);
export type PolicyCommand = z.infer<typeof policyCommandSchema>;
