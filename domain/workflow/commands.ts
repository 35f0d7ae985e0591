import { z } from 'zod';
import { commandUnion } from '../shared/command-schema.ts';
import { uuidSchema } from '../shared/ids.ts';
import { definitionHeaderShape } from './definition.ts';
import { workflowNameSchema } from './fields.ts';

const orgId = uuidSchema;

export const workflowCommandSchema = commandUnion({
  /**
   * The definition's fields; `steps` and `flow` are validated by the decider (shapes, graph, CEL, tools), so every
   * problem comes back with its path.
   */
  PublishWorkflow: z.strictObject({ orgId, ...definitionHeaderShape, steps: z.unknown(), flow: z.unknown().optional() }),
  RetireWorkflow: z.strictObject({ orgId, name: workflowNameSchema, reason: z.string().trim().min(1).max(1000).optional() }),
});
export type WorkflowCommand = z.infer<typeof workflowCommandSchema>;
