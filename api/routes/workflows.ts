import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { workflowCommandSchema } from '../../domain/workflow/commands.ts';
import { workflowAggregate } from '../../commands/handlers/workflow.ts';
import type { Platform } from '../platform.ts';
import { commandErrors, commandReply } from '../openapi/responses.ts';
import { orgIdParam } from './orgs.ts';
import { bodyWithPath, commandBody, commandRoute } from './command-route.ts';

const tags = ['workflows'];
const nameParam = { ...orgIdParam, name: z.string().describe("the workflow's name") };
const versionReply = { name: z.string(), version: z.int().nullable().describe('the newest version') };

/** The body's steps and flow as documented: checked by the decider, which reports every problem with its path. */
const definitionDocs = {
  steps: z.record(z.string(), z.record(z.string(), z.unknown())).describe('the steps by id: kind (task, tool, approval, wait, workflow) and its fields'),
  flow: z
    .union([z.string(), z.array(z.unknown()), z.record(z.string(), z.unknown())])
    .optional()
    .describe('the order: "sequence(a, parallel(b, c))", or its JSON form; without it, each step\'s dependsOn'),
};

/** An org's workflow definitions: published as versions (validated and compiled), retired. */
export async function workflowRoutes(app: FastifyInstance, platform: Platform): Promise<void> {
  commandRoute(app, platform, {
    url: '/orgs/:orgId/workflows',
    aggregate: workflowAggregate,
    // 201 when a new version was published; 200 when the definition is the newest version's already.
    status: (result) => (result.events.some((event) => event.type === 'WorkflowPublished') ? 201 : 200),
    schema: {
      summary: 'Publish a workflow version',
      description:
        'PublishWorkflow (action `workflow.publish`). The definition is validated and compiled to a DAG: every problem comes back in 422 WORKFLOW_INVALID `details.errors` [{path, message, column, cycle}] (a cycle is named in the message). Publishing the newest version again changes nothing (200 with its version).',
      tags,
      params: z.object(orgIdParam),
      body: commandBody(workflowCommandSchema, 'PublishWorkflow', { fromPath: ['orgId'], override: definitionDocs }),
      response: {
        '201': commandReply('A new version was published', versionReply),
        '200': commandReply('Nothing changed: this is the newest version', versionReply),
        ...commandErrors,
      },
    },
    build: bodyWithPath('PublishWorkflow', ['orgId']),
    reply: async (result, data) => {
      const published = result.events.find((event) => event.type === 'WorkflowPublished');
      if (published) return { name: published.data.name, version: published.data.version };
      const { state } = await platform.loader.load(workflowAggregate.decider, result.streamId);
      return { name: data.name, version: state === null ? null : ([...state.versions.keys()].at(-1) ?? null) };
    },
  });

  commandRoute(app, platform, {
    url: '/orgs/:orgId/workflows/:name/retire',
    aggregate: workflowAggregate,
    schema: {
      summary: 'Retire a workflow',
      description:
        'RetireWorkflow (action `workflow.retire`): no new runs start from it; runs in flight keep their version. Publishing a new version makes it active again.',
      tags,
      params: z.object(nameParam),
      body: commandBody(workflowCommandSchema, 'RetireWorkflow', { fromPath: ['orgId', 'name'] }),
      response: { '200': commandReply('Retired (or already was)', { name: z.string() }), ...commandErrors },
    },
    build: bodyWithPath('RetireWorkflow', ['orgId', 'name']),
    reply: (_result, data) => ({ name: data.name }),
  });
}
