import { z } from 'zod';
import { principalSchema } from '../shared/principal.ts';

export const orgStatusSchema = z.enum(['active', 'suspended', 'archived']);
export type OrgStatus = z.infer<typeof orgStatusSchema>;

/** An org's current state, as its events build it (also the shape the API answers with). */
export const orgSchema = z.object({
  orgId: z.string(),
  status: orgStatusSchema,
  name: z.string(),
  slug: z.string(),
  description: z.string(),
  tags: z.array(z.string()),
  metadata: z.record(z.string(), z.string()),
  parentOrgId: z.string().nullable(),
  owner: principalSchema,
  /** Why the org is suspended or archived; null while active. */
  statusReason: z.string().nullable(),
});
export type Org = z.infer<typeof orgSchema>;

/** `null` until the org is registered. */
export type OrgState = Org | null;

export const initialOrgState: OrgState = null;
