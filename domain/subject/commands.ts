import { z } from 'zod';
import { commandUnion } from '../shared/command-schema.ts';
import { uuidSchema } from '../shared/ids.ts';
import {
  MAX_CAPABILITIES,
  capabilityLevelSchema,
  capabilityNameSchema,
  descriptionSchema,
  displayNameSchema,
  endpointSchema,
  evidenceSchema,
  noteSchema,
  reasonSchema,
  subjectKindSchema,
} from './fields.ts';

export const capabilityClaimSchema = z.strictObject({
  name: capabilityNameSchema,
  level: capabilityLevelSchema,
  evidence: evidenceSchema.optional(),
});

const transitionData = z.strictObject({ subjectId: uuidSchema, reason: reasonSchema });

export const subjectCommandSchema = commandUnion({
  RegisterSubject: z.strictObject({
    subjectId: uuidSchema,
    kind: subjectKindSchema,
    displayName: displayNameSchema,
    description: descriptionSchema.default(''),
    endpoint: endpointSchema.optional(),
    capabilities: z
      .array(capabilityClaimSchema)
      .max(MAX_CAPABILITIES)
      .refine((claims) => new Set(claims.map((claim) => claim.name)).size === claims.length, 'capability names must be unique')
      .default([]),
  }),
  UpdateSubjectProfile: z
    .strictObject({
      subjectId: uuidSchema,
      displayName: displayNameSchema.optional(),
      description: descriptionSchema.optional(),
      /** `null` removes the endpoint. */
      endpoint: endpointSchema.nullable().optional(),
    })
    .refine(
      (data) => data.displayName !== undefined || data.description !== undefined || data.endpoint !== undefined,
      'give at least one of displayName, description, endpoint',
    ),
  DeclareCapability: z.strictObject({
    subjectId: uuidSchema,
    name: capabilityNameSchema,
    level: capabilityLevelSchema,
    evidence: evidenceSchema.optional(),
  }),
  WithdrawCapability: z.strictObject({ subjectId: uuidSchema, name: capabilityNameSchema }),
  VerifyCapability: z.strictObject({
    subjectId: uuidSchema,
    name: capabilityNameSchema,
    /** The level the verifier vouches for; it must be the level currently declared. */
    level: capabilityLevelSchema,
    /** The org in whose name the verifier acts; its policy decides whether the verifier may. */
    orgId: uuidSchema,
    note: noteSchema.optional(),
  }),
  SuspendSubject: transitionData,
  ReinstateSubject: transitionData,
});
export type SubjectCommand = z.infer<typeof subjectCommandSchema>;
export type SubjectCommandType = SubjectCommand['type'];
