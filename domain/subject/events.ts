import { z } from 'zod';
import { principalSchema } from '../shared/principal.ts';
import { version1Definitions, type EventUnion } from '../events/registry.ts';
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

const capabilityData = z.object({
  name: capabilityNameSchema,
  level: capabilityLevelSchema,
  evidence: evidenceSchema.nullable(),
});

const subjectRegisteredData = z.object({
  subjectId: z.uuid(),
  kind: subjectKindSchema,
  displayName: displayNameSchema,
  description: descriptionSchema,
  endpoint: endpointSchema.nullable(),
  /** All unverified. */
  capabilities: z.array(capabilityData).max(MAX_CAPABILITIES),
  registeredBy: principalSchema,
});

const subjectProfileUpdatedData = z.object({
  subjectId: z.uuid(),
  /** Only the fields that changed; `endpoint: null` means the endpoint was removed. */
  changes: z.object({
    displayName: displayNameSchema.optional(),
    description: descriptionSchema.optional(),
    endpoint: endpointSchema.nullable().optional(),
  }),
});

/** Declares a new capability or replaces a declared one (which clears its verification). */
const capabilityDeclaredData = capabilityData.extend({ subjectId: z.uuid() });

const capabilityWithdrawnData = z.object({ subjectId: z.uuid(), name: capabilityNameSchema });

const capabilityVerifiedData = z.object({
  subjectId: z.uuid(),
  name: capabilityNameSchema,
  level: capabilityLevelSchema,
  verifiedBy: principalSchema,
  orgId: z.uuid(),
  note: noteSchema.nullable(),
  /** The decision's time (the pipeline's clock), so evolve stays a pure fold over event data. */
  verifiedAt: z.iso.datetime(),
});

const transitionData = z.object({ subjectId: z.uuid(), reason: reasonSchema });

export const subjectEventDefinitions = version1Definitions({
  SubjectRegistered: subjectRegisteredData,
  SubjectProfileUpdated: subjectProfileUpdatedData,
  CapabilityDeclared: capabilityDeclaredData,
  CapabilityWithdrawn: capabilityWithdrawnData,
  CapabilityVerified: capabilityVerifiedData,
  SubjectSuspended: transitionData,
  SubjectReinstated: transitionData,
});

export type SubjectEvent = EventUnion<typeof subjectEventDefinitions>;
