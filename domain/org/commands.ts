import { z } from 'zod';
import { uuidSchema } from '../shared/ids.ts';
import { descriptionSchema, metadataSchema, orgNameSchema, reasonSchema, slugSchema, tagsSchema } from './fields.ts';

export const registerOrgSchema = z.object({
  type: z.literal('RegisterOrg'),
  data: z.strictObject({
    orgId: uuidSchema,
    name: orgNameSchema,
    slug: slugSchema,
    description: descriptionSchema.default(''),
    tags: tagsSchema.default([]),
    metadata: metadataSchema.default({}),
    parentOrgId: uuidSchema.optional(),
  }),
});

export const updateOrgMetadataSchema = z.object({
  type: z.literal('UpdateOrgMetadata'),
  data: z
    .strictObject({
      orgId: uuidSchema,
      name: orgNameSchema.optional(),
      description: descriptionSchema.optional(),
      tags: tagsSchema.optional(),
      /** Replaces the whole map: a declarative update, not a patch. */
      metadata: metadataSchema.optional(),
    })
    .refine(
      (data) => data.name !== undefined || data.description !== undefined || data.tags !== undefined || data.metadata !== undefined,
      'give at least one of name, description, tags, metadata',
    ),
});

const transitionData = z.strictObject({ orgId: uuidSchema, reason: reasonSchema });

export const suspendOrgSchema = z.object({ type: z.literal('SuspendOrg'), data: transitionData });
export const reactivateOrgSchema = z.object({ type: z.literal('ReactivateOrg'), data: transitionData });
export const archiveOrgSchema = z.object({ type: z.literal('ArchiveOrg'), data: transitionData });

export const orgCommandSchema = z.discriminatedUnion('type', [
  registerOrgSchema,
  updateOrgMetadataSchema,
  suspendOrgSchema,
  reactivateOrgSchema,
  archiveOrgSchema,
]);
export type OrgCommand = z.infer<typeof orgCommandSchema>;
export type OrgCommandType = OrgCommand['type'];
