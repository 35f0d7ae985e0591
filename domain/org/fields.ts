import { z } from 'zod';

/** A DNS label, so a slug can also name an org's namespace when it is deployed. */
export const slugSchema = z.string().regex(/^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/, 'lowercase letters, digits and inner dashes, 1 to 63 characters');

export const orgNameSchema = z.string().trim().min(1).max(120);
export const descriptionSchema = z.string().max(2000);

export const tagsSchema = z
  .array(z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,62}$/, 'letters, digits and . _ : -, 1 to 63 characters'))
  .max(32)
  .refine((tags) => new Set(tags).size === tags.length, 'tags must be unique');

export const metadataSchema = z
  .record(z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._/-]{0,62}$/, 'keys: letters, digits and . _ / -'), z.string().max(1024))
  .refine((metadata) => Object.keys(metadata).length <= 64, 'at most 64 metadata entries');

export const reasonSchema = z.string().trim().min(1).max(1000);
