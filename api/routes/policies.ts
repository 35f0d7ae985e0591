import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { isAppError } from '../../domain/shared/app-error.ts';
import { policyCommandSchema } from '../../domain/policy/commands.ts';
import { policyDecider } from '../../domain/policy/decider.ts';
import { policyStream } from '../../domain/policy/events.ts';
import { policyRulesSchema } from '../../domain/policy/types.ts';
import { policyAggregate } from '../../commands/handlers/policy.ts';
import type { Platform } from '../platform.ts';
import { orgIdParam } from './orgs.ts';
import { commandErrors, commandReply } from '../openapi/responses.ts';
import { commandBody, withPath, bodyWithPath, commandRoute } from './command-route.ts';
import { orgReadRoute } from '../routing/org-read-route.ts';

const tags = ['policies'];
const versionParam = { ...orgIdParam, version: z.coerce.number().int().positive().describe('the policy version') };

const ruleReply = z.array(z.record(z.string(), z.unknown()));
const policiesReply = z.object({
  orgId: z.uuid(),
  revision: z.int().describe('the policy stream revision; -1 before anything was drafted'),
  published: z.int().nullable().describe('the version in force; null while the default policy applies'),
  effective: z.object({
    source: z.enum(['org', 'default', 'none']),
    version: z.int().nullable(),
    hash: z.string(),
    rules: ruleReply.describe('the org rules in force (the platform policy applies as well)'),
  }),
  versions: z.array(
    z.object({ version: z.int(), status: z.enum(['draft', 'published', 'superseded']), hash: z.string(), description: z.string(), rules: ruleReply }),
  ),
});

/** A version in the path as the command wants it: a number when it is one, else the text, which the schema refuses. */
function versionFromPath(text: string | undefined): number | string | undefined {
  return text !== undefined && /^\d{1,9}$/.test(text) ? Number(text) : text;
}

/** An org's policy sets: drafted (validated, with positions for every error), published, immutable once drafted. */
export async function policyRoutes(app: FastifyInstance, platform: Platform): Promise<void> {
  commandRoute(app, platform, {
    url: '/orgs/:orgId/policies',
    aggregate: policyAggregate,
    // 201 when a new version was drafted; 200 when the rules and description are the newest version's already.
    status: (result) => (result.events.some((event) => event.type === 'PolicyDrafted') ? 201 : 200),
    schema: {
      summary: 'Draft a policy version',
      description:
        'DraftPolicy (action `policy.draft`). The rules are validated (shape, unique ids, known actions, CEL conditions): every problem comes back in 400 POLICY_INVALID `details.errors` [{path, message, line, column}]. Drafting what is already the newest version changes nothing (200 with its version).',
      tags,
      params: z.object(orgIdParam),
      body: commandBody(policyCommandSchema, 'DraftPolicy', { fromPath: ['orgId'], override: { rules: policyRulesSchema } }),
      response: {
        '201': commandReply('A new version was drafted', { version: z.int() }),
        '200': commandReply('Nothing changed: this is the newest version', { version: z.int() }),
        ...commandErrors,
      },
    },
    build: bodyWithPath('DraftPolicy', ['orgId']),
    reply: async (result) => {
      const drafted = result.events.find((event) => event.type === 'PolicyDrafted');
      if (drafted) return { version: drafted.data.version };
      const { state } = await platform.loader.load(policyDecider, result.streamId);
      return { version: [...state.versions.keys()].at(-1) ?? null };
    },
  });

  commandRoute(app, platform, {
    url: '/orgs/:orgId/policies/:version/publish',
    aggregate: policyAggregate,
    schema: {
      summary: 'Publish a policy version',
      description: 'PublishPolicy (action `policy.publish`): the version is in force from the next decision on; the one it replaces is superseded.',
      tags,
      params: z.object(versionParam),
      body: commandBody(policyCommandSchema, 'PublishPolicy', { fromPath: ['orgId', 'version'] }),
      response: { '200': commandReply('Published (or already was)', { version: z.int() }), ...commandErrors },
    },
    build: ({ params, body }) => {
      const data = withPath(body, { orgId: params.orgId, version: versionFromPath(params.version) });
      return isAppError(data) ? data : { type: 'PublishPolicy', data };
    },
    reply: (_result, data) => ({ version: data.version }),
  });

  orgReadRoute(app, platform, {
    url: '/orgs/:orgId/policies',
    summary: "Read an org's policies",
    description: "Action `policy.read` (default policy: the org's members). The policy in force and every version drafted.",
    tags,
    reply: ['The policies', policiesReply],
    action: 'policy.read',
    read: () => ({ type: 'ReadPolicies', data: {} }),
    answer: async ({ orgId, allowed: { policy } }, reply) => {
      const loaded = await platform.loader.load(policyDecider, policyStream(orgId));
      reply.header('etag', `"${loaded.revision}"`);
      return {
        orgId,
        revision: Number(loaded.revision),
        published: loaded.state.published,
        effective: { source: policy.source, version: policy.version, hash: policy.hash, rules: policy.rules },
        versions: [...loaded.state.versions.values()].map(({ version, status, hash, description, rules }) => ({ version, status, hash, description, rules })),
      };
    },
  });
}
