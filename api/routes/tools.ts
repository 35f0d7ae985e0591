import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { isAppError } from '../../domain/shared/app-error.ts';
import { toolCommandSchema } from '../../domain/tool/commands.ts';
import { toolDecider } from '../../domain/tool/decider.ts';
import { toolStream } from '../../domain/tool/events.ts';
import { toolIdFor } from '../../domain/tool/fields.ts';
import { appError } from '../../domain/shared/app-error.ts';
import { commandErrors, commandReply } from '../openapi/responses.ts';
import type { Platform } from '../platform.ts';
import { bodyFields, bodyWithPath, commandBody, commandRoute } from './command-route.ts';
import { orgReadRoute } from '../routing/org-read-route.ts';
import { orgIdParam } from './orgs.ts';

const tags = ['tools'];
const toolParams = { ...orgIdParam, name: z.string().describe("the tool's name (URL-encoded: `mcp:github%2Fcreate_issue`)") };
const toolAnswer = { name: z.string(), version: z.int() };
const toolReply = z.object({
  name: z.string(),
  status: z.enum(['active', 'retired']),
  version: z.int(),
  spec: z.record(z.string(), z.unknown()),
  versions: z.record(z.string(), z.record(z.string(), z.unknown())),
  registeredAt: z.string(),
  updatedAt: z.string(),
});

/** An org's tool registry: register, update (a new version), retire, and read one tool with its versions. */
export async function toolRoutes(app: FastifyInstance, platform: Platform): Promise<void> {
  /** The tool a command's answer is about, as it is after the command (which may have changed nothing). */
  const toolAnswerOf = async (streamId: string) => {
    const tool = (await platform.loader.load(toolDecider, streamId)).state;
    return { name: tool?.name ?? null, version: tool?.version ?? null };
  };
  commandRoute(app, platform, {
    url: '/orgs/:orgId/tools',
    aggregate: platform.toolRegistry,
    status: (result) => (result.events.some((event) => event.type === 'ToolRegistered') ? 201 : 200),
    bodyField: 'spec',
    schema: {
      summary: 'Register a tool',
      description:
        "RegisterTool (action `tool.register`). The body is the tool's spec (docs/tools.md): its JSON Schemas are checked (400 VALIDATION_FAILED naming the path, e.g. `inputSchema.properties.q.type`), an HTTP endpoint's host must be one the org allows (its metadata `tools.allowedHosts`: 422 TOOL_HOST_NOT_ALLOWED). A name already active is 409 TOOL_ALREADY_EXISTS; a retired one comes back as its next version.",
      tags,
      params: z.object(orgIdParam),
      body: commandBody(toolCommandSchema, 'RegisterTool', { field: 'spec' }),
      response: { '201': commandReply('The tool is registered', toolAnswer), ...commandErrors },
    },
    build: ({ params, body }) => {
      const spec = bodyFields(body);
      return isAppError(spec) ? spec : { type: 'RegisterTool', data: { orgId: params.orgId, spec } };
    },
    reply: (result) => toolAnswerOf(result.streamId),
  });

  commandRoute(app, platform, {
    url: '/orgs/:orgId/tools/:name',
    method: 'PUT',
    aggregate: platform.toolRegistry,
    bodyField: 'spec',
    schema: {
      summary: 'Update a tool (its next version)',
      description:
        "UpdateTool (action `tool.update`): the whole spec again, its name the path's (a body naming another is refused). Checked as a registration. The same spec as the current version changes nothing (200, no events). 404 TOOL_NOT_FOUND, 409 TOOL_RETIRED.",
      tags,
      params: z.object(toolParams),
      body: commandBody(toolCommandSchema, 'RegisterTool', { field: 'spec', optional: ['name'] }),
      response: { '200': commandReply('Updated (or already so)', toolAnswer), ...commandErrors },
    },
    build: ({ params, body }) => {
      const spec = bodyFields(body);
      return isAppError(spec) ? spec : { type: 'UpdateTool', data: { orgId: params.orgId, name: params.name, spec: { name: params.name, ...spec } } };
    },
    reply: (result) => toolAnswerOf(result.streamId),
  });

  commandRoute(app, platform, {
    url: '/orgs/:orgId/tools/:name/retire',
    aggregate: platform.toolRegistry,
    schema: {
      summary: 'Retire a tool',
      description:
        'RetireTool (action `tool.retire`): no new call of it is accepted (409 TOOL_RETIRED); calls already requested run with their version. Retiring a retired tool changes nothing.',
      tags,
      params: z.object(toolParams),
      body: commandBody(toolCommandSchema, 'RetireTool', { fromPath: ['orgId', 'name'] }),
      response: { '200': commandReply('Retired (or already was)', toolAnswer), ...commandErrors },
    },
    build: bodyWithPath('RetireTool', ['orgId', 'name']),
    reply: (result) => toolAnswerOf(result.streamId),
  });

  orgReadRoute(app, platform, {
    url: '/orgs/:orgId/tools/:name',
    summary: 'Read a tool',
    description: "Action `tool.read` (default policy: the org's members). The tool's current spec, its status and every version's spec.",
    tags,
    params: z.object(toolParams),
    reply: ['The tool', toolReply],
    action: 'tool.read',
    read: ({ params }) => ({ type: 'ReadTool', data: { name: params.name } }),
    answer: async ({ orgId, params: { name } }) => {
      const tool = (await platform.loader.load(toolDecider, toolStream(toolIdFor(orgId, name)))).state;
      if (tool === null) return appError('not_found', 'TOOL_NOT_FOUND', `org ${orgId} has no tool ${name}`, { orgId, name });
      const { status, version, spec, versions, registeredAt, updatedAt } = tool;
      return { name: tool.name, status, version, spec, versions, registeredAt, updatedAt };
    },
  });
}
