import { z } from 'zod';
import { version1Definitions, type EventUnion } from '../events/registry.ts';
import { workflowDagSchema } from './dag.ts';
import { workflowDefinitionSchema } from './definition.ts';
import { workflowNameSchema } from './fields.ts';

const identity = { orgId: z.uuid(), workflowId: z.uuid(), name: workflowNameSchema };

const schemas = {
  /** A new version: the definition as published (normalized) and the DAG it compiled to, which runs pin. */
  WorkflowPublished: z.object({
    ...identity,
    version: z.number().int().positive(),
    hash: z.string(),
    definition: workflowDefinitionSchema,
    dag: workflowDagSchema,
    publishedAt: z.string(),
  }),
  WorkflowRetired: z.object({ ...identity, version: z.number().int().positive(), reason: z.string().nullable(), retiredAt: z.string() }),
} as const;

export const workflowEventDefinitions = version1Definitions(schemas);

export type WorkflowEvent = EventUnion<typeof workflowEventDefinitions>;
