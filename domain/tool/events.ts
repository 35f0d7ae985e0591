import { z } from 'zod';
import { version1Definitions, type EventUnion } from '../events/registry.ts';
import { principalSchema } from '../shared/principal.ts';
import { retireReasonSchema, toolVersionSchema } from './fields.ts';
import { toolNameSchema, toolSpecSchema } from './spec.ts';

const toolRef = { toolId: z.uuid(), orgId: z.uuid(), name: toolNameSchema, version: toolVersionSchema };

const toolRegisteredData = z.object({ ...toolRef, spec: toolSpecSchema, registeredBy: principalSchema, registeredAt: z.iso.datetime() });
const toolUpdatedData = z.object({ ...toolRef, spec: toolSpecSchema, updatedBy: principalSchema, updatedAt: z.iso.datetime() });
const toolRetiredData = z.object({ ...toolRef, reason: retireReasonSchema, retiredBy: principalSchema, retiredAt: z.iso.datetime() });

export const toolEventDefinitions = version1Definitions({
  ToolRegistered: toolRegisteredData,
  ToolUpdated: toolUpdatedData,
  ToolRetired: toolRetiredData,
});

export type ToolEvent = EventUnion<typeof toolEventDefinitions>;

/** One stream per tool of an org: `tool-<toolId>`, the id derived from the org and the name (fields.ts). */
export const toolStream = (toolId: string) => `tool-${toolId}`;
