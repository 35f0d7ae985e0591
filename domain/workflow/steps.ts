import { z } from 'zod';
import { roleNameSchema } from '../roster/fields.ts';
import { uuidSchema } from '../shared/ids.ts';
import { toolNameSchema } from '../tool/spec.ts';
import {
  MAX_DEPENDENCIES,
  MAX_STEP_INPUTS,
  durationSchema,
  expressionSchema,
  retrySchema,
  stepIdSchema,
  timeoutsSchema,
  workflowNameSchema,
} from './fields.ts';

/** A step's input: each name the step receives, as a CEL expression over `input`, `steps.<id>.output` (and `item`). */
export const stepInputSchema = z
  .record(z.string().regex(/^[A-Za-z][A-Za-z0-9_]{0,63}$/, 'an input name: letters, digits and _, starting with a letter'), expressionSchema)
  .refine((input) => Object.keys(input).length <= MAX_STEP_INPUTS, `at most ${MAX_STEP_INPUTS} inputs`);

/** What every kind of step has. */
const common = {
  /** The steps this one waits for, when the definition has no `flow`. */
  dependsOn: z.array(stepIdSchema).max(MAX_DEPENDENCIES).optional(),
  /** A guard (CEL, bool): false, the step is skipped, and skipped counts as done for the steps after it. */
  when: expressionSchema.optional(),
  input: stepInputSchema.default({}),
  retry: retrySchema.optional(),
  timeouts: timeoutsSchema.optional(),
  /** The step that undoes this one, run in reverse order when the run fails after this step succeeded. */
  compensate: stepIdSchema.optional(),
};

/** An agent task: it becomes a job for a role (assigned as the org assigns) or a named agent. */
const taskStepSchema = z
  .strictObject({
    kind: z.literal('task'),
    role: roleNameSchema.optional(),
    agentId: uuidSchema.optional(),
    title: z.string().trim().min(1).max(200),
    instructions: z.string().trim().max(8000).default(''),
    ...common,
  })
  .refine((step) => (step.role === undefined) !== (step.agentId === undefined), { message: 'a task names a role or an agentId, not both', path: ['role'] });

const toolStepSchema = z.strictObject({ kind: z.literal('tool'), tool: toolNameSchema, ...common });

/** A human approval: who may approve is the org's policy; `approverRole` is whom it is asked of. */
const approvalStepSchema = z
  .strictObject({
    kind: z.literal('approval'),
    approverRole: roleNameSchema,
    deadline: durationSchema.optional(),
    /** Asked next when the deadline passes. */
    escalateTo: roleNameSchema.optional(),
    ...common,
  })
  .refine((step) => step.escalateTo === undefined || step.deadline !== undefined, { message: 'escalateTo needs a deadline', path: ['escalateTo'] });

const waitStepSchema = z.strictObject({ kind: z.literal('wait'), duration: durationSchema, ...common });

/** Another of the org's workflows, at its newest version when the run starts, or at `version`. */
const workflowStepSchema = z.strictObject({
  kind: z.literal('workflow'),
  workflow: workflowNameSchema,
  version: z.number().int().positive().optional(),
  ...common,
});

export const stepSchema = z.discriminatedUnion('kind', [taskStepSchema, toolStepSchema, approvalStepSchema, waitStepSchema, workflowStepSchema]);
export type WorkflowStep = z.infer<typeof stepSchema>;
export type StepKind = WorkflowStep['kind'];
