import { z } from 'zod';
import { roleNameSchema } from '../roster/fields.ts';
import { principalSchema } from '../shared/principal.ts';
import { version1Definitions, type EventUnion } from '../events/registry.ts';
import {
  MAX_VERIFIERS,
  assignmentStrategySchema,
  budgetSchema,
  requiredCapabilitiesSchema,
  requiredRolesSchema,
  completionModeSchema,
  deliverableSchema,
  escalationResolutionSchema,
  goalSchema,
  jobPrioritySchema,
  noteSchema,
  objectivesSchema,
  outputTemplateSchema,
  reasonSchema,
} from './fields.ts';
import { escalatableJobStatusSchema, jobStatusSchema } from './state.ts';

const jobRef = { jobId: z.uuid(), orgId: z.uuid() };

const jobSubmittedData = z.object({
  ...jobRef,
  goal: goalSchema,
  objectives: objectivesSchema,
  priority: jobPrioritySchema,
  completionMode: completionModeSchema,
  deadline: z.iso.datetime().nullable(),
  requiredCapabilities: requiredCapabilitiesSchema,
  requiredRoles: requiredRolesSchema,
  outputTemplate: outputTemplateSchema.nullable(),
  verifierSubjectIds: z.array(z.uuid()).max(MAX_VERIFIERS),
  budget: budgetSchema.nullable(),
  assignmentStrategy: assignmentStrategySchema.nullable(),
  directAssignee: z.uuid().nullable(),
  submittedBy: principalSchema,
  /** The decision's time (the pipeline's clock), so evolve stays a pure fold over event data. */
  submittedAt: z.iso.datetime(),
});

const jobRefData = z.object(jobRef);

const jobAssignedData = z.object({ ...jobRef, assigneeSubjectId: z.uuid(), contractId: z.uuid() });

const jobDeliveredData = z.object({
  ...jobRef,
  deliverable: deliverableSchema,
  note: noteSchema.nullable(),
  deliveredBy: principalSchema,
  deliveredAt: z.iso.datetime(),
});

const jobVerifiedData = z.object({ ...jobRef, note: noteSchema.nullable(), verifiedBy: principalSchema, verifiedAt: z.iso.datetime() });

const jobDeliveryRejectedData = z.object({ ...jobRef, reason: reasonSchema, rejectedBy: principalSchema, rejectedAt: z.iso.datetime() });

const jobEndedData = z.object({ ...jobRef, reason: reasonSchema });

const jobEscalatedData = z.object({
  ...jobRef,
  reason: reasonSchema,
  escalateTo: roleNameSchema,
  /** The status the job was in, where `resume` returns it. */
  from: escalatableJobStatusSchema,
  escalatedBy: principalSchema,
  escalatedAt: z.iso.datetime(),
});

const jobEscalationRaisedData = z.object({
  ...jobRef,
  reason: reasonSchema,
  /** Where the escalation goes now. */
  escalateTo: roleNameSchema,
  /** Where it was. */
  previousEscalateTo: roleNameSchema,
  raisedBy: principalSchema,
  raisedAt: z.iso.datetime(),
});

const jobEscalationResolvedData = z.object({
  ...jobRef,
  resolution: escalationResolutionSchema,
  note: noteSchema.nullable(),
  /** The status the resolution put the job in. */
  status: jobStatusSchema,
  /** The new deadline of an `extend`; absent otherwise (and in events recorded before `extend` existed). */
  deadline: z.iso.datetime().optional(),
  resolvedBy: principalSchema,
  resolvedAt: z.iso.datetime(),
});

export const jobEventDefinitions = version1Definitions({
  JobSubmitted: jobSubmittedData,
  JobContractingStarted: jobRefData,
  JobAssigned: jobAssignedData,
  JobWorkStarted: jobRefData,
  JobDelivered: jobDeliveredData,
  JobVerified: jobVerifiedData,
  JobDeliveryRejected: jobDeliveryRejectedData,
  JobFailed: jobEndedData,
  JobCancelled: jobEndedData,
  JobEscalated: jobEscalatedData,
  JobEscalationRaised: jobEscalationRaisedData,
  JobEscalationResolved: jobEscalationResolvedData,
});

export type JobEvent = EventUnion<typeof jobEventDefinitions>;
