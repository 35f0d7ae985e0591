import { z } from 'zod';
import { uuidSchema } from '../shared/ids.ts';

const orgId = uuidSchema;

export const policyCommandSchema = z.discriminatedUnion('type', [
  /** Rules are validated by the decider (shape, ids, actions, CEL), so every problem comes back with its position. */
  z.object({
    type: z.literal('DraftPolicy'),
    data: z.strictObject({ orgId, description: z.string().max(2000).default(''), rules: z.unknown() }),
  }),
  z.object({ type: z.literal('PublishPolicy'), data: z.strictObject({ orgId, version: z.number().int().positive() }) }),
]);
export type PolicyCommand = z.infer<typeof policyCommandSchema>;
