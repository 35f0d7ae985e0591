import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { readReply, type RouteDoc } from '../openapi/route-doc.ts';
import type { Platform } from '../platform.ts';

const probe = (summary: string, description: string, response: RouteDoc['response']): RouteDoc => ({ summary, description, tags: ['health'], security: [], response });
const projectionStatus = z.object({
  name: z.string(),
  version: z.int(),
  state: z.enum(['starting', 'catching-up', 'live', 'failed', 'rebuilding', 'stopped']),
  position: z.string(),
  head: z.string(),
  lag: z.int().describe('positions behind the head of the log'),
  failure: z.object({ position: z.string(), eventId: z.string(), type: z.string(), streamId: z.string(), message: z.string() }).nullable(),
});
const readiness = z.object({
  status: z.enum(['ready', 'not_ready']),
  checks: z.record(z.string(), z.object({ ok: z.boolean(), detail: z.string().optional() })),
  projections: z.array(projectionStatus),
});

export async function healthRoutes(app: FastifyInstance, platform: Platform): Promise<void> {
  /** Liveness: the process answers. */
  app.get(
    '/health',
    { config: { public: true, openapi: probe('Liveness', 'The process answers. No credential.', { '200': readReply('Alive', z.object({ status: z.literal('ok') })) }) } },
    async () => ({ status: 'ok' }),
  );

  /** Readiness: the event store answers and the credential index is following the log. */
  const readyDoc = probe('Readiness', 'The event store answers, the API-key index follows the log, and no projection has failed (each with its lag). No credential.', {
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
    const projections = await platform.projections.status();
    const failed = projections.filter((projection) => projection.state === 'failed');
    checks.projections = { ok: failed.length === 0, detail: failed.length === 0 ? `${projections.length} running` : `failed: ${failed.map((p) => p.name).join(', ')}` };
    // The NATS fan-out retrying (bus unreachable) is reported, not fatal: commands and reads still work.
    const fanout = platform.fanout.status();
    checks.eventFanout = { ok: true, detail: `${fanout.state} at ${fanout.position}${fanout.failure ? `; last failure: ${fanout.failure.message}` : ''}` };
    const ready = Object.values(checks).every((check) => check.ok);
    return reply.code(ready ? 200 : 503).send({ status: ready ? 'ready' : 'not_ready', checks, projections });
  });

  /** Prometheus text format: projection lag and position, and the head of the log. */
  app.get(
    '/metrics',
    {
      config: {
        public: true,
        openapi: probe('Metrics', 'Prometheus text exposition: `agencygrid_event_store_head`, `agencygrid_projection_position{projection}`, `agencygrid_projection_lag{projection}`, `agencygrid_projection_failed{projection}`. No credential.', {
          '200': readReply('Metrics (text/plain)', z.string()),
        }),
      },
    },
    async (_request, reply) => {
      const projections = await platform.projections.status();
      const head = await platform.store.headPosition().catch(() => null);
      const lines = [
        '# HELP agencygrid_event_store_head Global position of the last event in the log.',
        '# TYPE agencygrid_event_store_head gauge',
        ...(head === null ? [] : [`agencygrid_event_store_head ${head}`]),
        '# HELP agencygrid_projection_position Last log position a projection has applied.',
        '# TYPE agencygrid_projection_position gauge',
        ...projections.map((p) => `agencygrid_projection_position{projection="${p.name}"} ${p.position}`),
        '# HELP agencygrid_projection_lag Positions a projection is behind the head of the log.',
        '# TYPE agencygrid_projection_lag gauge',
        ...projections.map((p) => `agencygrid_projection_lag{projection="${p.name}"} ${p.lag}`),
        '# HELP agencygrid_projection_failed 1 when a projection stopped on an event it could not apply.',
        '# TYPE agencygrid_projection_failed gauge',
        ...projections.map((p) => `agencygrid_projection_failed{projection="${p.name}"} ${p.state === 'failed' ? 1 : 0}`),
      ];
      return reply.type('text/plain; version=0.0.4').send(`${lines.join('\n')}\n`);
    },
  );
}
