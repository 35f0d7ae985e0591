import { z } from 'zod';
import { actionPatternSchema } from '../policy/types.ts';

export const roleNameSchema = z.string().regex(/^[a-z][a-z0-9_-]{0,62}$/, 'lowercase letters, digits, _ and -, starting with a letter');
export const groupNameSchema = roleNameSchema;
export const jobSpaceNameSchema = roleNameSchema;
export const capabilityNameSchema = z
  .string()
  .regex(/^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$/, 'lowercase dotted identifier')
  .max(100);

export const assignmentTypeSchema = z.enum(['fixed', 'dynamic_single_subject', 'dynamic_multi_subject']);

export const capabilityRequirementSchema = z.strictObject({
  name: capabilityNameSchema,
  level: z.number().int().min(0).max(10),
  /** When true, only a capability verified by an authorized subject counts. */
  verified: z.boolean().default(false),
});

const unique = <T>(items: readonly T[]) => new Set(items).size === items.length;

export const roleDefinitionSchema = z
  .strictObject({
    name: roleNameSchema,
    description: z.string().max(2000).default(''),
    /** Action patterns this role is for (documentation and policy input; policies decide). */
    permissions: z.array(actionPatternSchema).max(100).default([]),
    minHolders: z.number().int().min(0).max(10_000).default(0),
    /** null: no limit. */
    maxHolders: z.number().int().min(1).max(1_000_000).nullable().default(null),
    assignmentType: assignmentTypeSchema.default('fixed'),
    requiredCapabilities: z.array(capabilityRequirementSchema).max(50).default([]),
    /** Roles whose holders this role's holders also count as (a senior role inherits its juniors). */
    inherits: z.array(roleNameSchema).max(50).default([]),
  })
  .refine((role) => role.maxHolders === null || role.maxHolders >= role.minHolders, { message: 'maxHolders must be >= minHolders', path: ['maxHolders'] })
  .refine((role) => role.assignmentType !== 'dynamic_single_subject' || role.maxHolders === 1, {
    message: 'a dynamic_single_subject role has maxHolders 1',
    path: ['maxHolders'],
  })
  .refine((role) => unique(role.inherits) && !role.inherits.includes(role.name), {
    message: 'inherits must be unique and not the role itself',
    path: ['inherits'],
  })
  .refine((role) => unique(role.requiredCapabilities.map((c) => c.name)), { message: 'one requirement per capability', path: ['requiredCapabilities'] });
export type RoleDefinition = z.infer<typeof roleDefinitionSchema>;

export const groupDefinitionSchema = z
  .strictObject({
    name: groupNameSchema,
    description: z.string().max(2000).default(''),
    /** The enclosing group: a subgroup's members are members of its parent too. */
    parent: groupNameSchema.nullable().default(null),
    /** Roles that belong to this group: their holders are its members. */
    roles: z.array(roleNameSchema).max(200).default([]),
  })
  .refine((group) => unique(group.roles), { message: 'roles must be unique', path: ['roles'] })
  .refine((group) => group.parent !== group.name, { message: 'a group cannot be its own parent', path: ['parent'] });
export type GroupDefinition = z.infer<typeof groupDefinitionSchema>;

export const jobSpaceDefinitionSchema = z.strictObject({
  name: jobSpaceNameSchema,
  description: z.string().max(2000).default(''),
});
export type JobSpaceDefinition = z.infer<typeof jobSpaceDefinitionSchema>;

export const reasonSchema = z.string().trim().min(1).max(1000);
