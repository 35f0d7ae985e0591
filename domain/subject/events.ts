import { z } from 'zod';
import { principalSchema } from '../shared/principal.ts';
import type { EventDefinition, EventUnion } from '../events/registry.ts';
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

export const subjectEventDefinitions = [
  { type: 'SubjectRegistered', schemaVersion: 1, schema: subjectRegisteredData },
  { type: 'SubjectProfileUpdated', schemaVersion: 1, schema: subjectProfileUpdatedData },
  { type: 'CapabilityDeclared', schemaVersion: 1, schema: capabilityDeclaredData },
  { type: 'CapabilityWithdrawn', schemaVersion: 1, schema: capabilityWithdrawnData },
  { type: 'CapabilityVerified', schemaVersion: 1, schema: capabilityVerifiedData },
  { type: 'SubjectSuspended', schemaVersion: 1, schema: transitionData },
  { type: 'SubjectReinstated', schemaVersion: 1, schema: transitionData },
] as const satisfies readonly EventDefinition[];

export type SubjectEvent = EventUnion<typeof subjectEventDefinitions>;
