import { canonicalJson } from '../shared/canonical-json.ts';
import { orgNotFound } from '../org/not-found.ts';
import type { OrgStatus } from '../org/state.ts';
import { appError, type AppError } from '../shared/app-error.ts';
import type { DecisionContext } from '../shared/decider.ts';
import { isCommandAllowed, startedCommandOf } from './allowed-commands.ts';
import { isToolHostAllowed } from './allowed-hosts.ts';
import { toolNameOf, type ToolCommand } from './commands.ts';
import type { ToolEvent } from './events.ts';
import { MAX_TOOL_VERSIONS, MAX_TOOLS_PER_ORG, toolIdFor } from './fields.ts';
import type { ToolEndpoint, ToolSpec } from './spec.ts';
import type { ToolState } from './state.ts';

/** What a tool command is decided with beyond the tool's stream; the handler loads both from the org. */
export interface ToolDecisionContext extends DecisionContext {
  /** The org's lifecycle status; null: no such org. Tools are registered, updated and retired in active orgs only. */
  orgStatus?: OrgStatus | null;
  /** The hosts the org's HTTP tools may reach (its `tools.allowedHosts`, see allowed-hosts.ts). */
  allowedHosts?: readonly string[];
  /** The programs tools may start (the operator's TOOL_COMMANDS, see allowed-commands.ts); none when absent. */
  allowedCommands?: readonly string[];
  /** How many tools the org has registered (for a new tool's registration only); undefined: they could not be counted. */
  toolCount?: number;
}

export function decideTool(command: ToolCommand, state: ToolState, context: ToolDecisionContext): readonly ToolEvent[] | AppError {
  const { orgId } = command.data;
  const name = toolNameOf(command);
  const { orgStatus, principal, now } = context;
  if (orgStatus === undefined || orgStatus === null) return orgNotFound(orgId);
  if (orgStatus !== 'active') {
    return appError('conflict', 'ORG_NOT_ACTIVE', `org ${orgId} is ${orgStatus}; its tools do not change`, { orgId, status: orgStatus });
  }
  const toolId = toolIdFor(orgId, name);

  if (command.type === 'RegisterTool') {
    if (state !== null && state.status === 'active') {
      return appError('conflict', 'TOOL_ALREADY_EXISTS', `org ${orgId} already has an active tool ${name}; update it instead`, { orgId, name });
    }
    const version = state === null ? 1 : state.version + 1;
    const refused =
      hostRefusal(orgId, command.data.spec.endpoint, context.allowedHosts ?? []) ??
      commandRefusal(command.data.spec.endpoint, context.allowedCommands ?? []) ??
      versionsLeft(orgId, name, version) ??
      (state === null ? toolsLeft(orgId, context.toolCount) : undefined);
    if (refused) return refused;
    return [{ type: 'ToolRegistered', data: { toolId, orgId, name, version, spec: command.data.spec, registeredBy: principal, registeredAt: now } }];
  }

  // A tool of another org has another id, so another stream: it is absent here.
  if (state === null) return appError('not_found', 'TOOL_NOT_FOUND', `org ${orgId} has no tool ${name}`, { orgId, name });
  if (command.type === 'RetireTool') {
    // Retiring a retired tool changes nothing: a retry under a new command id.
    if (state.status === 'retired') return [];
    return [{ type: 'ToolRetired', data: { toolId, orgId, name, version: state.version, reason: command.data.reason, retiredBy: principal, retiredAt: now } }];
  }
  if (state.status === 'retired') {
    return appError('conflict', 'TOOL_RETIRED', `tool ${name} of org ${orgId} is retired; register it again to bring it back`, { orgId, name });
  }
  const { spec } = command.data;
  // The same spec again is no new version: a retry under a new command id.
  if (sameSpec(spec, state.spec)) return [];
  const version = state.version + 1;
  const refused =
    hostRefusal(orgId, spec.endpoint, context.allowedHosts ?? []) ??
    commandRefusal(spec.endpoint, context.allowedCommands ?? []) ??
    versionsLeft(orgId, name, version);
  if (refused) return refused;
  return [{ type: 'ToolUpdated', data: { toolId, orgId, name, version, spec, updatedBy: principal, updatedAt: now } }];
}

const sameSpec = (a: ToolSpec, b: ToolSpec) => canonicalJson(a) === canonicalJson(b);

/** The URL an endpoint reaches over HTTP, with the field it is in, if any. */
function httpUrlOf(endpoint: ToolEndpoint): { url: string; field: string[] } | null {
  if (endpoint.kind === 'http') return { url: endpoint.url, field: ['spec', 'endpoint', 'url'] };
  if (endpoint.kind === 'mcp' && endpoint.server.transport === 'http') return { url: endpoint.server.url, field: ['spec', 'endpoint', 'server', 'url'] };
  return null;
}

/** An endpoint over HTTP must be on a host the org allows: checked when the tool is declared, and again by the runner at each call. */
function hostRefusal(orgId: string, endpoint: ToolEndpoint, allowedHosts: readonly string[]): AppError | undefined {
  const reached = httpUrlOf(endpoint);
  if (reached === null) return undefined;
  const url = new URL(reached.url);
  const host = url.host;
  if (isToolHostAllowed(url, allowedHosts)) return undefined;
  return appError('unprocessable', 'TOOL_HOST_NOT_ALLOWED', `the host ${host} is not one org ${orgId} lets its tools reach (its metadata tools.allowedHosts)`, {
    orgId,
    host,
    field: reached.field.join('.'),
    allowedHosts,
  });
}

/**
 * A program a tool would start must be one the operator allows. The refusal names the caller's own program and field
 * only: the operator's list is the platform's configuration, not the caller's to read.
 */
function commandRefusal(endpoint: ToolEndpoint, allowedCommands: readonly string[]): AppError | undefined {
  const started = startedCommandOf(endpoint);
  if (started === null || isCommandAllowed(started.command, allowedCommands)) return undefined;
  return appError(
    'unprocessable',
    'TOOL_COMMAND_NOT_ALLOWED',
    `this platform does not let tools start ${started.command}: its operator lists the programs tools may start (TOOL_COMMANDS)`,
    { command: started.command, field: started.field },
  );
}

function versionsLeft(orgId: string, name: string, version: number): AppError | undefined {
  if (version <= MAX_TOOL_VERSIONS) return undefined;
  return appError(
    'conflict',
    'TOOL_VERSIONS_EXHAUSTED',
    `tool ${name} of org ${orgId} has had ${MAX_TOOL_VERSIONS} versions; register the tool under a new name`,
    {
      orgId,
      name,
      maxVersions: MAX_TOOL_VERSIONS,
    },
  );
}

/** A new tool takes one of the org's places (a retired one registered again has its place already). */
function toolsLeft(orgId: string, toolCount: number | undefined): AppError | undefined {
  if (toolCount === undefined) return appError('unavailable', 'TOOL_COUNT_UNKNOWN', `the tools of org ${orgId} could not be counted; retry later`, { orgId });
  if (toolCount < MAX_TOOLS_PER_ORG) return undefined;
  return appError('conflict', 'TOOLS_EXHAUSTED', `org ${orgId} has registered ${toolCount} tools (at most ${MAX_TOOLS_PER_ORG}); retire and reuse a name`, {
    orgId,
    toolCount,
    maxTools: MAX_TOOLS_PER_ORG,
  });
}
