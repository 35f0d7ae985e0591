import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { orgSchema } from '../../domain/org/state.ts';
import { uuidSchema } from '../../domain/shared/ids.ts';
import { isAppError, withAudience, type AppError } from '../../domain/shared/app-error.ts';
import { orgNotFound, orgSlugNotFound } from '../../domain/org/not-found.ts';
import { orgCommandSchema } from '../../domain/org/commands.ts';
import { orgDecider, orgStream } from '../../domain/org/decider.ts';
import { slugSchema } from '../../domain/org/fields.ts';
import { uniqueKeyHolder } from '../../commands/unique-key-holder.ts';
import { orgAggregate } from '../../commands/handlers/org.ts';
import { sendError } from '../command-reply.ts';
import { commandErrors, commandReply, readErrors, readReply } from '../openapi/responses.ts';
import type { Platform } from '../platform.ts';
import { authorizeRead } from '../read-access.ts';
import { commandBody, commandRoute, bodyWithPath } from './command-route.ts';
import type { ZodRequestTypes } from '../routing/request-schemas.ts';

export const orgIdParam = { orgId: uuidSchema.describe('the org id') };
const slugParam = { slug: slugSchema.describe("the org's slug") };
const transitions = [
  ['suspend', 'SuspendOrg', 'org.suspend'],
  ['reactivate', 'ReactivateOrg', 'org.reactivate'],
  ['archive', 'ArchiveOrg', 'org.archive'],
] as const;
const tags = ['orgs'];

const orgReply = orgSchema.extend({
  orgId: z.uuid(),
  revision: z.int().describe('the org stream revision (also the ETag)'),
});

const readDoc = <P extends z.ZodObject>(summary: string, params: P) => ({
  summary,
  description: "Action `org.read` on the org (default policy: the org's members; platform admins). ETag = stream revision.",
  tags,
  params,
  response: { '200': readReply('The org', orgReply), ...readErrors },
});

/** Command routes for the org registry, plus reads of one org's current state straight from its stream. */
export async function orgRoutes(app: FastifyInstance, platform: Platform): Promise<void> {
  commandRoute(app, platform, {
    url: '/orgs',
    aggregate: orgAggregate,
    status: 201,
    schema: {
      summary: 'Register an org',
      description:
        'RegisterOrg (action `org.register`); the caller owns the org. `orgId` derives from the command id when absent, so a retry with the same Idempotency-Key registers the same org.',
      tags,
      body: commandBody(orgCommandSchema, 'RegisterOrg', { optional: ['orgId'] }),
      response: { '201': commandReply('The org is registered', { orgId: z.uuid() }), ...commandErrors },
    },
    build: bodyWithPath('RegisterOrg', [], { orgId: 'org' }),
    // The org id as the pipeline normalised it (lower case), read back from the stream it wrote to.
    reply: (result) => ({ orgId: result.streamId.slice('org-'.length) }),
  });

  commandRoute(app, platform, {
    url: '/orgs/:orgId/metadata',
    aggregate: orgAggregate,
    schema: {
      summary: 'Update org metadata',
      description: 'UpdateOrgMetadata (action `org.update`): declarative; the `metadata` map is replaced, not patched.',
      tags,
      params: z.object(orgIdParam),
      body: commandBody(orgCommandSchema, 'UpdateOrgMetadata', { fromPath: ['orgId'] }),
      response: { '200': commandReply('Updated (or nothing changed)', { orgId: z.uuid() }), ...commandErrors },
    },
    build: bodyWithPath('UpdateOrgMetadata', ['orgId']),
    reply: (result) => ({ orgId: result.streamId.slice('org-'.length) }),
  });

  for (const [path, type, action] of transitions) {
    commandRoute(app, platform, {
      url: `/orgs/:orgId/${path}`,
      aggregate: orgAggregate,
      schema: {
        summary: `${path[0]?.toUpperCase()}${path.slice(1)} an org`,
        description: `${type} (action \`${action}\`).`,
        tags,
        params: z.object(orgIdParam),
        body: commandBody(orgCommandSchema, type, { fromPath: ['orgId'] }),
        response: { '200': commandReply('Done', { orgId: z.uuid() }), ...commandErrors },
      },
      build: bodyWithPath(type, ['orgId']),
      reply: (result) => ({ orgId: result.streamId.slice('org-'.length) }),
    });
  }

  const routes = app.withTypeProvider<ZodRequestTypes>();
  // Registered before /orgs/:orgId; the router prefers the static segment anyway.
  routes.get('/orgs/by-slug/:slug', { schema: readDoc('Read an org by its slug', z.object(slugParam)) }, async (request, reply) => {
    const { slug } = request.params;
    const orgId = await orgIdForSlug(platform, slug);
    const notFound = orgSlugNotFound(slug);
    if (orgId === null) return sendError(reply, notFound);
    return readOrg(platform, request, reply, orgId, notFound);
  });

  routes.get('/orgs/:orgId', { schema: readDoc('Read an org', z.object(orgIdParam)) }, async (request, reply) =>
    readOrg(platform, request, reply, request.params.orgId),
  );
}

/**
 * Authorized first, then looked up: a principal that may not read the org learns nothing, not even whether it
 * exists: it gets `notFound`, the very answer for an org that does not exist (by id, or by slug: then the slug's).
 */
async function readOrg(platform: Platform, request: FastifyRequest, reply: FastifyReply, orgId: string, notFound: AppError = orgNotFound(orgId)) {
  const allowed = await authorizeRead(platform.loader, request.principal, {
    action: 'org.read',
    orgId,
    resource: { type: 'org', id: orgId },
    query: { type: 'ReadOrg', data: { orgId } },
  });
  if (isAppError(allowed)) return sendError(reply, allowed.audience?.kind === 'outsider' ? withAudience(allowed, { kind: 'outsider', notFound }) : allowed);
  const loaded = await platform.loader.load(orgDecider, orgStream(orgId));
  if (loaded.state === null) return sendError(reply, notFound);
  reply.header('etag', `"${loaded.revision}"`);
  return { ...loaded.state, revision: Number(loaded.revision) };
}

/** The org that holds a slug (the owner of its uniqueness claim), or null. */
async function orgIdForSlug(platform: Platform, slug: string): Promise<string | null> {
  const owner = await uniqueKeyHolder(platform.store, 'org-slug', slug);
  return owner?.startsWith('org-') ? owner.slice('org-'.length) : null;
}
