import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { isAppError } from '../../domain/shared/app-error.ts';
import { toolStatusSchema } from '../../domain/tool/fields.ts';
import { toolEndpointSchema } from '../../domain/tool/spec.ts';
import { TOOLS, TOOLS_PROJECTION, toolView } from '../../projections/read-models/tools.ts';
import type { Platform } from '../platform.ts';
import { orgReadRoute } from '../routing/org-read-route.ts';
import { equalities, listPage } from './list-page.ts';
import { pageInfoReply, pageQueryFields, pageWindow } from './page-query.ts';

const toolsQuery = z.strictObject({
  status: toolStatusSchema.optional().describe('only active or only retired tools'),
  kind: z
    .enum(toolEndpointSchema.options.map((option) => option.shape.kind.value) as [string, ...string[]])
    .optional()
    .describe('only tools of this endpoint kind'),
  ...pageQueryFields('registration time'),
});

const toolItem = z.object({
  toolId: z.uuid(),
  orgId: z.uuid(),
  name: z.string(),
  status: toolStatusSchema,
  version: z.int(),
  spec: z.record(z.string(), z.unknown()).describe('the current version'),
  registeredAt: z.string(),
  updatedAt: z.string(),
});

/** An org's tools from the tools read model: `tool.read` (default policy: its members), newest first. */
export async function toolListRoutes(app: FastifyInstance, platform: Platform): Promise<void> {
  orgReadRoute(app, platform, {
    url: '/orgs/:orgId/tools',
    summary: "An org's tools",
    description:
      "Action `tool.read` (default policy: the org's members), query `ReadTools`, from the tools read model once it has reached the head of the log (503 READ_MODEL_BEHIND otherwise). Each tool at its current version; its earlier versions are at `GET /orgs/{orgId}/tools/{name}`. Newest first by default; pages follow `pageInfo.endCursor`.",
    tags: ['tools'],
    querystring: toolsQuery,
    reply: ["A page of the org's tools", z.object({ orgId: z.uuid(), tools: z.array(toolItem), pageInfo: pageInfoReply })],
    action: 'tool.read',
    read: () => ({ type: 'ReadTools', data: {} }),
    readModels: [TOOLS_PROJECTION],
    answer: async ({ orgId, query }) => {
      const page = await listPage(platform.docs, {
        collection: TOOLS,
        scope: { field: 'orgId', op: 'eq', value: orgId },
        filters: equalities(query, ['kind', 'status']),
        ...pageWindow(query, 'registeredAt'),
      });
      return isAppError(page) ? page : { orgId, tools: page.items.map(toolView), pageInfo: page.pageInfo };
    },
  });
}
