import { z } from 'zod';
import { commandUnion } from '../shared/command-schema.ts';
import { uuidSchema } from '../shared/ids.ts';
import { retireReasonSchema } from './fields.ts';
import { schemaIssues } from './json-schema.ts';
import { toolNameSchema, toolSpecSchema } from './spec.ts';

/**
 * A tool spec whose input and output schemas are usable JSON Schemas: each problem is an issue at its path under
 * the field (`inputSchema.properties.q.type`), so a malformed registration is refused before any decision, naming
 * what to fix.
 */
const checkedSpecSchema = toolSpecSchema.superRefine((spec, context) => {
  for (const field of ['inputSchema', 'outputSchema'] as const) {
    for (const issue of schemaIssues(spec[field])) context.addIssue({ code: 'custom', path: [field, ...issue.path], message: issue.message });
  }
});

/**
 * Every tool command names its org: the pipeline decides that org's policy, and the tool's stream is the org's (its
 * id is derived from the org and the name, see fields.ts), so naming another org names another tool.
 */
export const toolCommandSchema = commandUnion({
  /** A new tool (version 1), or a retired one brought back as its next version. */
  RegisterTool: z.strictObject({ orgId: uuidSchema, spec: checkedSpecSchema }),
  /** The tool's next version: the whole spec again (its name is the tool's). */
  UpdateTool: z
    .strictObject({ orgId: uuidSchema, name: toolNameSchema, spec: checkedSpecSchema })
    .refine((data) => data.spec.name === data.name, { message: "the spec's name is the tool's: a tool is not renamed", path: ['spec', 'name'] }),
  RetireTool: z.strictObject({ orgId: uuidSchema, name: toolNameSchema, reason: retireReasonSchema }),
});
export type ToolCommand = z.infer<typeof toolCommandSchema>;
export type ToolCommandType = ToolCommand['type'];

export const toolActions: Readonly<Record<ToolCommandType, string>> = {
  RegisterTool: 'tool.register',
  UpdateTool: 'tool.update',
  RetireTool: 'tool.retire',
};

/** The name of the tool a command is about. */
export const toolNameOf = (command: ToolCommand): string => (command.type === 'RegisterTool' ? command.data.spec.name : command.data.name);
