import type { ToolCallCommand } from '../../domain/tool-call/commands.ts';
import type { ToolCallDecisionContext } from '../../domain/tool-call/decide.ts';
import { toolCallDecider } from '../../domain/tool-call/decider.ts';
import type { ToolCallEvent } from '../../domain/tool-call/events.ts';
import { jsonHash } from '../../domain/tool-call/fields.ts';
import type { ToolDecisionContext } from '../../domain/tool/decide.ts';
import { toolDecider } from '../../domain/tool/decider.ts';
import type { ToolEvent } from '../../domain/tool/events.ts';
import { toolIdFor } from '../../domain/tool/fields.ts';
import { toolSpecSchema, type ToolSpec } from '../../domain/tool/spec.ts';
import type { Tool } from '../../domain/tool/state.ts';
import type { Principal } from '../../domain/shared/principal.ts';
import { deciderSpec } from './decider-spec.ts';
import { admin, now, orgId } from './work-identities.ts';

export * from './work-identities.ts';

/** The tool the registry and call specs speak of: a search over HTTP, its input a query of at most 100 characters. */
export const toolName = 'web.search';
export const toolId = toolIdFor(orgId, toolName);
export const callId = '99999999-0000-4000-8000-000000000009';

export function toolSpec(overrides: Partial<Record<keyof ToolSpec, unknown>> = {}): ToolSpec {
  return toolSpecSchema.parse({
    name: toolName,
    description: 'searches the web',
    inputSchema: { type: 'object', required: ['query'], properties: { query: { type: 'string', maxLength: 100 } }, additionalProperties: false },
    outputSchema: { type: 'object', required: ['hits'], properties: { hits: { type: 'array' } } },
    endpoint: { kind: 'http', url: 'https://search.example.com/q' },
    timeoutMs: 1_000,
    ...overrides,
  });
}

export const toolContext: ToolDecisionContext = {
  now,
  principal: admin,
  commandId: 'cmd-tool-1',
  orgStatus: 'active',
  allowedHosts: ['*.example.com'],
  toolCount: 0,
};
export const toolSpecOf = deciderSpec(toolDecider, toolContext);

export const toolRegistered = (spec = toolSpec(), version = 1): ToolEvent => ({
  type: 'ToolRegistered',
  data: { toolId, orgId, name: toolName, version, spec, registeredBy: admin, registeredAt: now },
});
export const toolRetired = (version = 1): ToolEvent => ({
  type: 'ToolRetired',
  data: { toolId, orgId, name: toolName, version, reason: 'replaced', retiredBy: admin, retiredAt: now },
});

/** The registered tool as a call's decision sees it. */
export function toolAfter(events: readonly ToolEvent[]): Tool {
  const state = events.reduce(toolDecider.evolve, toolDecider.initialState);
  if (state === null) throw new Error('no tool');
  return state;
}

export const input = { query: 'event sourcing' };

export const requestCall = (overrides: Partial<Extract<ToolCallCommand, { type: 'RequestToolCall' }>['data']> = {}): ToolCallCommand => ({
  type: 'RequestToolCall',
  data: { orgId, callId, toolName, input, taskId: null, ...overrides },
});

export const callContext: ToolCallDecisionContext = {
  now,
  principal: admin,
  commandId: 'cmd-call-1',
  orgStatus: 'active',
  tool: toolAfter([toolRegistered()]),
  rate: { calls: 0, maxPerMinute: 10 },
};
export const callSpec = deciderSpec(toolCallDecider, callContext);

export const callRequested = (
  requestedBy: Principal = admin,
  overrides: Partial<Extract<ToolCallEvent, { type: 'ToolCallRequested' }>['data']> = {},
): ToolCallEvent => ({
  type: 'ToolCallRequested',
  data: {
    callId,
    orgId,
    toolId,
    toolName,
    version: 1,
    input,
    inputHash: jsonHash(input),
    taskId: null,
    contractId: null,
    timeoutMs: 1_000,
    requestedBy,
    requestedAt: now,
    ...overrides,
  },
});
export const callStarted = (runnerId = 'runner-a'): ToolCallEvent => ({
  type: 'ToolCallStarted',
  data: { callId, orgId, toolName, version: 1, runnerId, leaseUntil: new Date(Date.parse(now) + 6_000).toISOString(), startedAt: now },
});
