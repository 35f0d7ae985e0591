import { z } from 'zod';
import { commandUnion } from '../shared/command-schema.ts';
import { uuidSchema } from '../shared/ids.ts';
import { principalSchema } from '../shared/principal.ts';

export const keyIdSchema = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/);

export const credentialCommandSchema = commandUnion({
  IssueApiKey: z.strictObject({
    keyId: keyIdSchema,
    keyHash: z.string().regex(/^[0-9a-f]{64}$/),
    principal: principalSchema,
    label: z.string().max(200).default(''),
  }),
  RevokeApiKey: z.strictObject({
    keyId: keyIdSchema,
    reason: z.string().trim().min(1).max(1000),
    /** Revoking one subject's key: refused unless the key is that subject's. */
    subjectId: uuidSchema.optional(),
  }),
});
export type CredentialCommand = z.infer<typeof credentialCommandSchema>;
