import { z } from 'zod';
import { principalSchema } from '../shared/principal.ts';
import type { EventDefinition, EventUnion } from '../events/registry.ts';
import { descriptionSchema, metadataSchema, orgNameSchema, reasonSchema, slugSchema, tagsSchema } from './fields.ts';

const orgRegisteredData = z.object({
  orgId: z.uuid(),
  name: orgNameSchema,
  slug: slugSchema,
  description: descriptionSchema,
  tags: tagsSchema,
  metadata: metadataSchema,
  parentOrgId: z.uuid().nullable(),
  owner: principalSchema,
});

const orgMetadataUpdatedData = z.object({
  orgId: z.uuid(),
  changes: z.object({
    name: orgNameSchema.optional(),
    description: descriptionSchema.optional(),
    tags: tagsSchema.optional(),
    metadata: metadataSchema.optional(),
  }),
});

const transitionData = z.object({ orgId: z.uuid(), reason: reasonSchema });

/**
 * v1 of OrgRegistered (written by the first prototype) kept tags as one comma-separated string, had no metadata map,
 * and left the owner implicit in the event's principal. v2 makes all three explicit.
 */
export const orgRegisteredV1ToV2 = (data: Record<string, unknown>, metadata: Readonly<Record<string, unknown>>) => {
  const tags =
    typeof data.tags === 'string'
      ? data.tags
          .split(',')
          .map((tag) => tag.trim())
          .filter(Boolean)
      : [];
  return {
    ...data,
    tags: [...new Set(tags)],
    metadata: {},
    parentOrgId: data.parentOrgId ?? null,
    owner: metadata.principal,
  };
};

export const orgEventDefinitions = [
  { type: 'OrgRegistered', schemaVersion: 2, schema: orgRegisteredData, upcasters: { 1: orgRegisteredV1ToV2 } },
  { type: 'OrgMetadataUpdated', schemaVersion: 1, schema: orgMetadataUpdatedData },
  { type: 'OrgSuspended', schemaVersion: 1, schema: transitionData },
  { type: 'OrgReactivated', schemaVersion: 1, schema: transitionData },
  { type: 'OrgArchived', schemaVersion: 1, schema: transitionData },
] as const satisfies readonly EventDefinition[];

export type OrgEvent = EventUnion<typeof orgEventDefinitions>;
