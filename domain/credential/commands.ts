import { z } from 'zod';
import { principalSchema } from '../shared/principal.ts';

export const keyIdSchema = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/);

export const credentialCommandSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('IssueApiKey'),
    data: z.strictObject({
      keyId: keyIdSchema,
      keyHash: z.string().regex(/^[0-9a-f]{64}$/),
      principal: principalSchema,
      label: z.string().max(200).default(''),
    }),
  }),
  z.object({
    type: z.literal('RevokeApiKey'),
    data: z.strictObject({ keyId: keyIdSchema, reason: z.string().trim().min(1).max(1000) }),
  }),
]);
export type CredentialCommand = z.infer<typeof credentialCommandSchema>;
