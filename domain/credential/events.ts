import { z } from 'zod';
import { principalSchema } from '../shared/principal.ts';
import { version1Definitions, type EventUnion } from '../events/registry.ts';

/** Only the SHA-256 of a key is ever stored; keys are 256-bit random, so a fast hash is enough (no dictionary to guess). */
const apiKeyIssuedData = z.object({
  keyId: z.string().min(1).max(64),
  keyHash: z.string().regex(/^[0-9a-f]{64}$/),
  principal: principalSchema,
  label: z.string().max(200),
});
const apiKeyRevokedData = z.object({ keyId: z.string().min(1).max(64), reason: z.string().max(1000) });

export const credentialEventDefinitions = version1Definitions({
  ApiKeyIssued: apiKeyIssuedData,
  ApiKeyRevoked: apiKeyRevokedData,
});

export type CredentialEvent = EventUnion<typeof credentialEventDefinitions>;

export const apiKeyStream = (keyId: string) => `apikey-${keyId}`;
export const API_KEY_STREAM_PREFIX = 'apikey-';
