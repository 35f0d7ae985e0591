import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { readReply, type RouteDoc } from '../openapi/route-doc.ts';
import type { Platform } from '../platform.ts';

const probe = (summary: string, description: string, response: RouteDoc['response']): RouteDoc => ({ summary, description, tags: ['health'], security: [], response });
const readiness = z.object({
  status: z.enum(['ready', 'not_ready']),
  checks: z.record(z.string(), z.object({ ok: z.boolean(), detail: z.string().optional() })),
});

export async function healthRoutes(app: FastifyInstance, platform: Platform): Promise<void> {
  /** Liveness: the process answers. */
  app.get(
    '/health',
    { config: { public: true, openapi: probe('Liveness', 'The process answers. No credential.', { '200': readReply('Alive', z.object({ status: z.literal('ok') })) }) } },
    async () => ({ status: 'ok' }),
  );

  /** Readiness: the event store answers and the credential index is following the log. */
  const readyDoc = probe('Readiness', 'The event store answers and the API-key index follows the log. No credential.', {
    '200': readReply('Ready', readiness),
    '503': readReply('Not ready', readiness),
  });
  app.get('/ready', { config: { public: true, openapi: readyDoc } }, async (_request, reply) => {
    const checks: Record<string, { ok: boolean; detail?: string }> = {};
    try {
      const head = await platform.store.headPosition();
      checks.eventStore = { ok: true, detail: `head ${head}` };
    } catch (error) {
      checks.eventStore = { ok: false, detail: error instanceof Error ? error.name : 'unreachable' };
    }
    checks.apiKeyIndex = { ok: platform.apiKeys.healthy };
    const ready = Object.values(checks).every((check) => check.ok);
    return reply.code(ready ? 200 : 503).send({ status: ready ? 'ready' : 'not_ready', checks });
  });
}
