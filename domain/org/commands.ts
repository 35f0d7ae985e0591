import { z } from 'zod';
import { commandUnion } from '../shared/command-schema.ts';
import { uuidSchema } from '../shared/ids.ts';
import { descriptionSchema, metadataSchema, orgNameSchema, reasonSchema, slugSchema, tagsSchema } from './fields.ts';

const transitionData = z.strictObject({ orgId: uuidSchema, reason: reasonSchema });

export const orgCommandSchema = commandUnion({
  RegisterOrg: z.strictObject({
    orgId: uuidSchema,
    name: orgNameSchema,
    slug: slugSchema,
    description: descriptionSchema.default(''),
    tags: tagsSchema.default([]),
    metadata: metadataSchema.default({}),
    parentOrgId: uuidSchema.optional(),
  }),
  UpdateOrgMetadata: z
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
  SuspendOrg: transitionData,
  ReactivateOrg: transitionData,
  ArchiveOrg: transitionData,
});
export type OrgCommand = z.infer<typeof orgCommandSchema>;
export type OrgCommandType = OrgCommand['type'];
