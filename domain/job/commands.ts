import { z } from 'zod';
import { commandUnion } from '../shared/command-schema.ts';
import { roleNameSchema } from '../roster/fields.ts';
import { uuidSchema } from '../shared/ids.ts';
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
  instantInputSchema,
  jobPrioritySchema,
  noteSchema,
  objectivesSchema,
  outputTemplateSchema,
  reasonSchema,
  unique,
} from './fields.ts';

/**
 * Every job command names the job's org as well as the job: the pipeline decides the policy of that org before the
 * job's stream is read, and the decider then refuses a command whose org is not the job's (as JOB_NOT_FOUND), so
 * naming a lenient org cannot borrow its policy.
 */
const jobRef = { jobId: uuidSchema, orgId: uuidSchema };

const reasonData = z.strictObject({ ...jobRef, reason: reasonSchema });
const escalationData = z.strictObject({ ...jobRef, reason: reasonSchema, escalateTo: roleNameSchema });

export const jobCommandSchema = commandUnion({
  SubmitJob: z
    .strictObject({
      ...jobRef,
      goal: goalSchema,
      objectives: objectivesSchema.default([]),
      priority: jobPrioritySchema.default('normal'),
      completionMode: completionModeSchema,
      /** Must lie in the future when the job is submitted. */
      deadline: instantInputSchema.optional(),
      requiredCapabilities: requiredCapabilitiesSchema
        .refine((requirements) => unique(requirements.map((requirement) => requirement.name)), 'one requirement per capability')
        .default([]),
      requiredRoles: requiredRolesSchema.refine(unique, 'roles must be unique').default([]),
      outputTemplate: outputTemplateSchema.optional(),
      verifierSubjectIds: z.array(uuidSchema).max(MAX_VERIFIERS).refine(unique, 'verifiers must be unique').default([]),
      budget: budgetSchema.optional(),
      assignmentStrategy: assignmentStrategySchema.optional(),
      /** The subject a `direct` assignment goes to; given with that strategy and only with it. */
      directAssignee: uuidSchema.optional(),
    })
    .refine((data) => data.completionMode !== 'verified' || data.verifierSubjectIds.length > 0, {
      message: 'a job completed by verification needs at least one verifier',
      path: ['verifierSubjectIds'],
    })
    .refine((data) => (data.assignmentStrategy === 'direct') === (data.directAssignee !== undefined), {
      message: "directAssignee is given with the 'direct' assignment strategy, and only with it",
      path: ['directAssignee'],
    })
    .refine((data) => data.directAssignee === undefined || !data.verifierSubjectIds.includes(data.directAssignee), {
      message: 'the direct assignee cannot also verify the job',
      path: ['directAssignee'],
    }),
  StartContracting: z.strictObject(jobRef),
  AssignJob: z.strictObject({ ...jobRef, assigneeSubjectId: uuidSchema, contractId: uuidSchema }),
  StartWork: z.strictObject(jobRef),
  DeliverJob: z.strictObject({ ...jobRef, deliverable: deliverableSchema, note: noteSchema.optional() }),
  VerifyJob: z.strictObject({ ...jobRef, note: noteSchema.optional() }),
  RejectDelivery: reasonData,
  FailJob: reasonData,
  CancelJob: reasonData,
  EscalateJob: escalationData,
  /** An open escalation nobody resolved goes up the escalation path (to the org's owner, by the escalation work). */
  RaiseEscalation: escalationData,
  ResolveEscalation: z
    .strictObject({
      ...jobRef,
      resolution: escalationResolutionSchema,
      note: noteSchema.optional(),
      /** The new deadline of an `extend` (and only of an extend); must lie in the future. */
      deadline: instantInputSchema.optional(),
    })
    .refine((data) => (data.resolution === 'extend') === (data.deadline !== undefined), {
      message: "a deadline is given with the 'extend' resolution, and only with it",
      path: ['deadline'],
    }),
});
export type JobCommand = z.infer<typeof jobCommandSchema>;
export type JobCommandType = JobCommand['type'];
