import type { Principal } from '../shared/principal.ts';
import type { ToolStatus } from './fields.ts';
import type { ToolSpec } from './spec.ts';

export interface Tool {
  toolId: string;
  orgId: string;
  name: string;
  status: ToolStatus;
  /** The current version: the one new calls are made with. */
  version: number;
  spec: ToolSpec;
  /**
   * Every version's spec, by version: a call is pinned to the version it was requested with, and run with that
   * version's spec even when the tool changed meanwhile. At most MAX_TOOL_VERSIONS.
   */
  versions: Readonly<Record<number, ToolSpec>>;
  registeredBy: Principal;
  registeredAt: string;
  updatedAt: string;
}

/** `null` until the tool is registered. */
export type ToolState = Tool | null;

export const initialToolState: ToolState = null;
