import { v5 as uuidv5 } from 'uuid';
import { z } from 'zod';

/** The namespace of tool ids; changing it would give every registered tool a new stream. */
export const TOOL_ID_NAMESPACE = '5b0e7c1d-93a4-5f62-8d17-4c2e9a6b3f80';

/**
 * The id of org `orgId`'s tool `name`: a UUID v5 of both, so a tool's stream is found from what a caller names (its
 * org and its name) without an index, and two registrations of one name meet on one stream.
 */
export function toolIdFor(orgId: string, name: string): string {
  return uuidv5(`tool:${orgId.toLowerCase()}\u0000${name}`, TOOL_ID_NAMESPACE).toLowerCase();
}

/** A tool's versions are numbered from 1; each update is the next. Bounded, as every list a caller can grow. */
export const MAX_TOOL_VERSIONS = 100;
export const toolVersionSchema = z.number().int().min(1).max(MAX_TOOL_VERSIONS);

/** The tools one org may register (retired ones count: their streams and documents stay). */
export const MAX_TOOLS_PER_ORG = 500;

export const retireReasonSchema = z.string().trim().min(1).max(1000);

export const toolStatusSchema = z.enum(['active', 'retired']);
export type ToolStatus = z.infer<typeof toolStatusSchema>;
