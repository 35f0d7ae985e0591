import { z } from 'zod';
import { commandUnion } from '../shared/command-schema.ts';
import { uuidSchema } from '../shared/ids.ts';

const orgId = uuidSchema;

export const policyCommandSchema = commandUnion({
  /** Rules are validated by the decider (shape, ids, actions, CEL), so every problem comes back with its position. */
  DraftPolicy: z.strictObject({ orgId, description: z.string().max(2000).default(''), rules: z.unknown() }),
  PublishPolicy: z.strictObject({ orgId, version: z.number().int().positive() }),
});
export type PolicyCommand = z.infer<typeof policyCommandSchema>;
