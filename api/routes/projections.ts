import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { appError, isAppError } from '../../domain/shared/app-error.ts';
import { sendError } from '../command-reply.ts';
import type { Platform } from '../platform.ts';
import { authorizeRead, platformRead } from '../read-access.ts';
import { readErrors, readReply } from '../openapi/responses.ts';
import type { ZodRequestTypes } from '../routing/request-schemas.ts';

const rebuildBody = z.strictObject({});
const nameParam = {
  name: z
    .string()
    .regex(/^[a-z][a-z0-9_-]{0,62}$/)
    .describe('the projection name, e.g. orgs'),
};

/** Operating the read side: status of every projection, and rebuilding one from the log. */
export async function projectionRoutes(app: FastifyInstance, platform: Platform): Promise<void> {
  const routes = app.withTypeProvider<ZodRequestTypes>();
  routes.get(
    '/admin/projections',
    {
      schema: {
        summary: 'Projection status',
        description:
          'Every projection: state, position, lag behind the head of the log, and the event it failed on, if any (action `platform.projections.read`: platform admins).',
        tags: ['admin'],
        response: { '200': readReply('The projections', z.object({ projections: z.array(z.record(z.string(), z.unknown())) })), ...readErrors },
      },
    },
    async (request, reply) => {
      const read = platformRead('platform.projections.read', { type: 'projections', id: null }, { type: 'ReadProjections', data: {} });
      const allowed = await authorizeRead(platform.loader, request.principal, read);
      if (isAppError(allowed)) return sendError(reply, allowed);
      return { projections: await platform.projections.status() };
    },
  );

  routes.post(
    '/admin/projections/:name/rebuild',
    {
      schema: {
        summary: 'Rebuild a projection',
        description:
          'Drops the projection\'s read model and replays the whole log into it (action `platform.projections.rebuild`). The answer streams progress as newline-delimited JSON: `{"type":"progress","position","head","events","elapsedMs"}` lines, then `{"type":"done",...}` or `{"type":"failed","failure"}`.',
        tags: ['admin'],
        params: z.object(nameParam),
        body: rebuildBody,
        response: { '200': readReply('Progress lines (application/x-ndjson)', z.string()), ...readErrors },
      },
    },
    async (request, reply) => {
      const params = request.params;
      const read = platformRead(
        'platform.projections.rebuild',
        { type: 'projection', id: params.name },
        { type: 'RebuildProjection', data: { name: params.name } },
      );
      const allowed = await authorizeRead(platform.loader, request.principal, read);
      if (isAppError(allowed)) return sendError(reply, allowed);
      if (!platform.projections.names().includes(params.name)) {
        return sendError(
          reply,
          appError('not_found', 'PROJECTION_NOT_FOUND', `no projection named ${params.name}`, { name: params.name, known: platform.projections.names() }),
        );
      }
      reply.hijack();
      reply.raw.writeHead(200, { 'content-type': 'application/x-ndjson; charset=utf-8', 'cache-control': 'no-store' });
      const line = (value: Record<string, unknown>) =>
        reply.raw.write(`${JSON.stringify(value, (_key, item: unknown) => (typeof item === 'bigint' ? item.toString() : item))}\n`);
      try {
        await platform.projections.rebuild(params.name, (progress) => line({ type: 'progress', ...progress }));
        const status = (await platform.projections.status()).find((projection) => projection.name === params.name);
        line(status?.state === 'failed' ? { type: 'failed', failure: status.failure } : { type: 'done', status });
      } catch (error) {
        request.log.error({ err: error }, 'projection rebuild failed');
        line({ type: 'failed', failure: { message: 'the rebuild stopped on an internal error; see the server log' } });
      }
      reply.raw.end();
    },
  );
}
