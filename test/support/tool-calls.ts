import { randomUUID } from 'node:crypto';
import type { ToolCallAggregate } from '../../commands/handlers/tool-call.ts';
import { toolAggregate } from '../../commands/handlers/tool.ts';
import { requestToolCall } from '../../commands/governed-tool-call.ts';
import type { CommandPipeline } from '../../commands/pipeline.ts';
import type { StreamReader } from '../../commands/stream-loader.ts';
import type { Principal } from '../../domain/shared/principal.ts';
import { toolCallDecider } from '../../domain/tool-call/decider.ts';
import { toolCallStream } from '../../domain/tool-call/events.ts';
import type { ToolCall } from '../../domain/tool-call/state.ts';
import type { JsonValue } from '../../infra/json-value.ts';
import type { ToolRunner, ToolRunRequest, ToolRunResult } from '../../infra/tool-runners/port.ts';
import { waitFor } from './async.ts';
import { ok } from './governance-fixtures.ts';
import { admin, commandId } from './pipeline.ts';

/**
 * A test double of the ToolRunner port (the real adapters are infra/tool-runners/): it answers what `answer` says for
 * each request, and keeps the requests it was given.
 */
export class ScriptedToolRunner implements ToolRunner {
  readonly requests: ToolRunRequest[] = [];
  constructor(private readonly answer: (request: ToolRunRequest) => Promise<ToolRunResult> | ToolRunResult) {}

  async run(request: ToolRunRequest): Promise<ToolRunResult> {
    this.requests.push(request);
    return this.answer(request);
  }
}

/** A runner double that answers `output` for every call. */
export const answering = (output: (input: JsonValue) => JsonValue) =>
  new ScriptedToolRunner((request) => ({ ok: true, output: output(request.input), durationMs: 3 }));

/** A runner double that never answers, whatever it is told: a tool that hangs and a runner that does not stop it. */
export const hanging = () => new ScriptedToolRunner(() => new Promise<never>(() => undefined));

/** An echo tool over NATS (no host to allow): input `{text}` of at most 50 characters, output `{echo}`. */
export function echoTool(name = 'text.echo', overrides: Record<string, unknown> = {}) {
  return {
    name,
    description: 'answers what it is given',
    inputSchema: { type: 'object', required: ['text'], properties: { text: { type: 'string', maxLength: 50 } }, additionalProperties: false },
    outputSchema: { type: 'object', required: ['echo'], properties: { echo: { type: 'string' } } },
    endpoint: { kind: 'nats', subject: 'tools.echo' },
    timeoutMs: 100,
    ...overrides,
  };
}

export async function registerTool(pipeline: CommandPipeline, orgId: string, spec: Record<string, unknown>, principal: Principal = admin): Promise<void> {
  ok(await pipeline.execute(toolAggregate, { type: 'RegisterTool', data: { orgId, spec } }, { commandId: commandId(), principal }));
}

/** Requests a call as every caller does (requestToolCall); answers the call's id with the result. */
export async function callTool(
  pipeline: CommandPipeline,
  aggregate: ToolCallAggregate,
  data: { orgId: string; toolName: string; input: JsonValue; taskId?: string; callId?: string },
  principal: Principal = admin,
) {
  const callId = data.callId ?? randomUUID();
  const result = await requestToolCall(pipeline, aggregate, { ...data, callId }, { commandId: commandId(), principal });
  return { callId, result };
}

/** The call once `done` says it is where the test wants it. */
export async function callWhen(reader: StreamReader, callId: string, done: (call: ToolCall) => boolean, timeoutMs = 5_000): Promise<ToolCall> {
  let found: ToolCall | null = null;
  await waitFor(
    async () => {
      found = (await reader.load(toolCallDecider, toolCallStream(callId))).state;
      return found !== null && done(found);
    },
    timeoutMs,
    `tool call ${callId}`,
  );
  if (found === null) throw new Error('unreachable: waitFor returned without the call');
  return found;
}

export const finished = (call: ToolCall) => call.outcome !== null;
