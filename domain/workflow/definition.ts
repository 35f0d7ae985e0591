import { z } from 'zod';
import { MAX_STEPS, inputJsonSchemaSchema, runTimeoutSchema, stepIdSchema, workflowNameSchema } from './fields.ts';
import { flowSourceSchema } from './flow.ts';
import { stepSchema } from './steps.ts';

/** What a definition says besides its steps and flow (checked as a command's fields, before the decision). */
export const definitionHeaderShape = {
  name: workflowNameSchema,
  description: z.string().trim().max(4000).default(''),
  /** The JSON Schema a run's input must match. */
  inputSchema: inputJsonSchemaSchema.optional(),
  /** The longest a whole run may take. */
  timeoutMs: runTimeoutSchema.optional(),
};

/**
 * A workflow definition as published: its steps by id, ordered either by each step's `dependsOn` (a DAG as
 * written) or by a `flow` of structured forms. The steps here are normalized (defaults applied), so one definition
 * has one hash however it was spelled.
 */
export const workflowDefinitionSchema = z.strictObject({
  ...definitionHeaderShape,
  steps: z.record(stepIdSchema, stepSchema).refine((steps) => Object.keys(steps).length <= MAX_STEPS, `at most ${MAX_STEPS} steps`),
  flow: flowSourceSchema.optional(),
});
export type WorkflowDefinition = z.infer<typeof workflowDefinitionSchema>;
