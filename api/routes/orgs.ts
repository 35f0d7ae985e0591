import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { uuidSchema } from '../../domain/shared/ids.ts';
import { appError, isAppError } from '../../domain/shared/app-error.ts';
import type { OrgCommand } from '../../domain/org/commands.ts';
import { orgDecider, orgStream } from '../../domain/org/decider.ts';
import { orgAggregate } from '../../commands/handlers/org.ts';
import { deterministicId } from '../../commands/metadata.ts';
import { commandEnvelopeFrom } from '../command-envelope.ts';
import { sendCommand, sendError } from '../command-reply.ts';
import type { Platform } from '../platform.ts';
import { canReadOrg } from '../read-access.ts';

const orgIdParam = z.object({ orgId: uuidSchema });
const transitions = { suspend: 'SuspendOrg', reactivate: 'ReactivateOrg', archive: 'ArchiveOrg' } as const;

/** Command routes for the org registry, plus a read of one org's current state straight from its stream. */
export async function orgRoutes(app: FastifyInstance, platform: Platform): Promise<void> {
  const run = async (request: FastifyRequest, reply: FastifyReply, build: (commandId: string) => unknown, status = 200) => {
    const envelope = commandEnvelopeFrom(request);
    if (isAppError(envelope)) return sendError(reply, envelope);
    const command = build(envelope.commandId);
    const result = await platform.pipeline.execute(orgAggregate, command, envelope);
    // The org id as the pipeline normalised it (lower case), read back from the stream it wrote to.
    const orgId = isAppError(result) ? undefined : result.streamId.slice('org-'.length);
    return sendCommand(reply, result, status, { orgId });
  };

  app.post('/orgs', async (request, reply) =>
    run(
      request,
      reply,
      (commandId) => {
        const body = bodyObject(request.body);
        // A retried registration (same Idempotency-Key) must target the same org, so the id derives from the command.
        return { type: 'RegisterOrg', data: { orgId: deterministicId(commandId, 'org'), ...body } };
      },
      201,
    ),
  );

  app.post('/orgs/:orgId/metadata', async (request, reply) =>
    run(request, reply, () => ({ type: 'UpdateOrgMetadata', data: { ...bodyObject(request.body), ...paramsObject(request.params) } })),
  );

  for (const [path, type] of Object.entries(transitions)) {
    app.post(`/orgs/:orgId/${path}`, async (request, reply) =>
      run(request, reply, () => ({ type, data: { ...bodyObject(request.body), ...paramsObject(request.params) } })),
    );
  }

  app.get('/orgs/:orgId', async (request, reply) => {
    const params = orgIdParam.safeParse(request.params);
    if (!params.success) {
      return sendError(reply, appError('invalid', 'VALIDATION_FAILED', 'orgId must be a UUID', { issues: [{ path: ['orgId'], message: 'invalid UUID' }] }));
    }
    const { orgId } = params.data;
    const allowed = canReadOrg(request.principal, orgId);
    if (isAppError(allowed)) return sendError(reply, allowed);
    const loaded = await platform.loader.load(orgDecider, orgStream(orgId));
    if (loaded.state === null) return sendError(reply, appError('not_found', 'ORG_NOT_FOUND', `org ${orgId} does not exist`, { orgId }));
    reply.header('etag', `"${loaded.revision}"`);
    return { ...loaded.state, revision: Number(loaded.revision) };
  });
}

/** Non-object bodies become `{ __body: value }` so the command schema rejects them with a precise message. */
function bodyObject(body: unknown): Record<string, unknown> {
  if (body === undefined || body === null) return {};
  return typeof body === 'object' && !Array.isArray(body) ? (body as Record<string, unknown>) : { body };
}

function paramsObject(params: unknown): Record<string, unknown> {
  return typeof params === 'object' && params !== null ? (params as Record<string, unknown>) : {};
}

export type { OrgCommand };
