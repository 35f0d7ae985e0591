import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { deterministicId } from '../../commands/command-identity.ts';
import { requestToolCall } from '../../commands/governed-tool-call.ts';
import { appError, isAppError } from '../../domain/shared/app-error.ts';
import { toolCallCommandSchema } from '../../domain/tool-call/commands.ts';
import { toolCallDecider } from '../../domain/tool-call/decider.ts';
import { toolCallStream } from '../../domain/tool-call/events.ts';
import { uuidSchema } from '../../domain/shared/ids.ts';
import { commandErrors, commandReply } from '../openapi/responses.ts';
import { orgReadRoute } from '../routing/org-read-route.ts';
import type { Platform } from '../platform.ts';
import { CALL_WAIT_GRACE_MS, MAX_CALL_WAIT_MS, callOutcome, toolCallReply, toolCallView } from '../tool-call-view.ts';
import { bodyFields, commandBody, commandRoute, withPath } from './command-route.ts';
import { orgIdParam } from './orgs.ts';

const tags = ['tools'];
const callParams = { ...orgIdParam, name: z.string().describe("the tool's name (URL-encoded)") };
const callIdParams = { ...orgIdParam, callId: uuidSchema.describe('the call id') };
const finished = (status: unknown) => status === 'succeeded' || status === 'failed';

export interface ToolCallRouteOptions {
  /** The longest a request waits for its call's outcome (default MAX_CALL_WAIT_MS, 15 s). */
  maxWaitMs?: number;
}

/** Governed tool calls: requested (and waited for, bounded), and read back by their id. */
export async function toolCallRoutes(app: FastifyInstance, platform: Platform, options: ToolCallRouteOptions = {}): Promise<void> {
  const maxWaitMs = options.maxWaitMs ?? MAX_CALL_WAIT_MS;
  commandRoute(app, platform, {
    url: '/orgs/:orgId/tools/:name/calls',
    aggregate: platform.toolCalls,
    execute: (command, envelope) => requestToolCall(platform.pipeline, platform.toolCalls, command.data, envelope),
    status: (_result, extra) => (finished(extra.status) ? 200 : 202),
    schema: {
      summary: 'Call a tool',
      description:
        "RequestToolCall (action `tool.invoke`; the policy's conditions see `command.data.toolName`, `command.data.input`, `command.data.taskId`). Checked against the tool (404 TOOL_NOT_FOUND, 409 TOOL_RETIRED), its input schema (400 TOOL_INPUT_INVALID, `details.issues` with paths under `input`), the task's contract when an agent calls for its task (403 CONTRACT_VIOLATION, and the breach is recorded on the contract) and the org's rate (429 TOOL_RATE_EXCEEDED). Then waits for the outcome up to the tool's timeout and 1 s (at most 15 s): 200 with the output or the recorded failure, else 202 with the call to read at `GET /orgs/{orgId}/tool-calls/{callId}`. `callId` derives from the command id when absent; the same `callId` again is the same call (run once).",
      tags,
      params: z.object(callParams),
      body: commandBody(toolCallCommandSchema, 'RequestToolCall', { fromPath: ['orgId', 'toolName'], optional: ['callId'] }),
      response: {
        '200': commandReply('The call has an outcome', toolCallReply),
        '202': commandReply('The call is requested and runs on: read it by its id', toolCallReply),
        ...commandErrors,
      },
    },
    build: ({ params, body, commandId }) => {
      const fields = bodyFields(body);
      if (isAppError(fields)) return fields;
      const data = withPath(fields, { orgId: params.orgId, toolName: params.name });
      return isAppError(data) ? data : { type: 'RequestToolCall', data: { callId: deterministicId(commandId, 'toolcall'), ...data } };
    },
    reply: async (result) => {
      const callId = result.streamId.slice('toolcall-'.length);
      const requested = (await platform.loader.load(toolCallDecider, result.streamId)).state;
      // The tool's timeout and the process's grace on it: a call that times out is answered with its timeout.
      const call = await callOutcome(platform.loader, callId, Math.min((requested?.timeoutMs ?? 0) + CALL_WAIT_GRACE_MS, maxWaitMs));
      return call === null ? { callId } : toolCallView(call);
    },
  });

  orgReadRoute(app, platform, {
    url: '/orgs/:orgId/tool-calls/:callId',
    summary: 'Read a tool call',
    description: "Action `tool.read` (default policy: the org's members). The request, who made it, and its outcome once recorded.",
    tags,
    params: z.object(callIdParams),
    reply: ['The call', z.object(toolCallReply)],
    action: 'tool.read',
    read: ({ params }) => ({ type: 'ReadToolCall', data: { callId: params.callId } }),
    answer: async ({ orgId, params: { callId } }) => {
      const call = (await platform.loader.load(toolCallDecider, toolCallStream(callId))).state;
      if (call === null || call.orgId !== orgId)
        return appError('not_found', 'TOOL_CALL_NOT_FOUND', `org ${orgId} has no tool call ${callId}`, { orgId, callId });
      return toolCallView(call);
    },
  });
}
