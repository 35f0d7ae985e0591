import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { isAppError } from '../../domain/shared/app-error.ts';
import { sendError } from '../command-reply.ts';
import { createMetricsRegistry } from '../metrics-registry.ts';
import { readErrors, readReply } from '../openapi/responses.ts';
import { authorizeRead, platformRead } from '../read-access.ts';
import type { Platform } from '../platform.ts';
import type { ZodRequestTypes } from '../routing/request-schemas.ts';

const probe = (summary: string, description: string, response: Record<string, z.ZodType>) => ({
  summary,
  description,
  tags: ['health'],
  security: [],
  response,
});
const outage = z.object({
  dependency: z.enum(['cache', 'bus', 'documents', 'event-store', 'commands']),
  message: z.string(),
  since: z.string(),
  attempts: z.int(),
});
const projectionStatus = z.object({
  name: z.string(),
  version: z.int(),
  state: z.enum(['starting', 'catching-up', 'live', 'waiting', 'failed', 'rebuilding', 'stopped']),
  position: z.string(),
  lastApplied: z.string().describe('position of the last event of its own types it applied'),
  head: z.string(),
  lag: z.int().describe('positions behind the head of the log'),
  failure: z.object({ position: z.string(), eventId: z.string(), type: z.string(), streamId: z.string(), message: z.string() }).nullable(),
  waiting: outage.nullable().describe('the dependency outage it waits out (it applies the same event again once it answers)'),
});
const waitingFollower = outage.extend({ follower: z.string() });
const readiness = z.object({
  status: z.enum(['ready', 'degraded', 'not_ready']),
  checks: z.record(z.string(), z.object({ ok: z.boolean(), detail: z.string().optional() })),
  projections: z.array(projectionStatus),
  waiting: z.array(waitingFollower).describe('followers of the log waiting out an unavailable dependency'),
});
type WaitingFollower = z.infer<typeof waitingFollower>;

export async function healthRoutes(app: FastifyInstance, platform: Platform): Promise<void> {
  /** Liveness: the process answers. */
  const routes = app.withTypeProvider<ZodRequestTypes>();
  routes.get(
    '/health',
    { schema: probe('Liveness', 'The process answers. No credential.', { '200': readReply('Alive', z.object({ status: z.literal('ok') })) }) },
    async () => ({ status: 'ok' as const }),
  );

  /**
   * Readiness. 503 when the event store does not answer, the API-key index does not follow the log, or a projection
   * stopped at an event it cannot apply (named with the event's position, until an operator parks it or it is
   * rebuilt). A follower waiting out an unavailable dependency (Redis, NATS, the read-model store) is `degraded`
   * with 200: commands go on, reads fall back to the read models, and it resumes by itself; taking every instance
   * out of rotation for a cache blip would turn it into an outage of the whole API.
   */
  const readyDoc = probe(
    'Readiness',
    'The event store answers, the API-key index follows the log, and no projection has stopped at an event it cannot apply (503 otherwise, naming the projection and the position). Followers waiting out an unavailable dependency are listed under `waiting` and make the status `degraded` (still 200). No credential.',
    { '200': readReply('Ready or degraded', readiness), '503': readReply('Not ready', readiness) },
  );
  routes.get('/ready', { schema: readyDoc }, async (_request, reply) => {
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
    checks.projections = {
      ok: failed.length === 0,
      detail:
        failed.length === 0
          ? `${projections.length} running`
          : `stopped: ${failed.map((p) => `${p.name} at position ${p.failure?.position ?? p.position}`).join(', ')}`,
    };
    const fanout = platform.fanout.status();
    checks.eventFanout = { ok: true, detail: `${fanout.state} at ${fanout.position}${fanout.failure ? `; last failure: ${fanout.failure.message}` : ''}` };
    const work = platform.work.status();
    const sagas = [...work.sagas, platform.tools.status()];
    checks.work = { ok: true, detail: `${sagas.map((saga) => `${saga.name} at ${saga.position}`).join(', ')}; ${work.timersPending} timers pending` };

    const waiting: WaitingFollower[] = [];
    const add = (follower: string, status: Omit<WaitingFollower, 'follower'> | null) => {
      if (status) waiting.push({ follower, ...status });
    };
    for (const projection of projections) add(`projection:${projection.name}`, projection.waiting);
    for (const saga of sagas) add(`saga:${saga.name}`, saga.waiting);
    add('timers', work.timersWaiting);
    add('association-expiry', platform.expiry.waiting);
    add('api-key-index', platform.apiKeys.waiting);
    if (fanout.state === 'retrying' && fanout.failure) {
      waiting.push({
        follower: 'event-fanout',
        dependency: fanout.failure.dependency ?? 'bus',
        message: fanout.failure.message,
        since: fanout.failure.since,
        attempts: fanout.failure.attempts,
      });
    }
    const ready = Object.values(checks).every((check) => check.ok);
    const status = !ready ? 'not_ready' : waiting.length > 0 ? 'degraded' : 'ready';
    return reply.code(ready ? 200 : 503).send({ status, checks, projections, waiting });
  });
}

/**
 * Prometheus text format: projection lag and position, and the head of the log. The figures describe every org
 * together (how fast the log grows), so they need a key allowed `platform.metrics.read` (platform admins), unless
 * METRICS_PUBLIC says the operator exposes them to a scraper on a network of their own: the server registers this
 * route in its protected scope or outside it accordingly.
 */
export async function metricsRoute(app: FastifyInstance, platform: Platform): Promise<void> {
  const metricsPublic = platform.config.METRICS_PUBLIC;
  const metrics = createMetricsRegistry(platform);
  const metricsDescription =
    'Prometheus text exposition: `agencygrid_event_store_head`, `agencygrid_projection_position{projection}`, `agencygrid_projection_lag{projection}`, `agencygrid_projection_failed{projection}`, `agencygrid_projection_waiting{projection}`, `agencygrid_projection_parked_events{projection}`, `agencygrid_saga_position{saga}`, `agencygrid_timers_pending`, `agencygrid_saga_dead_letters`. ' +
    (metricsPublic
      ? 'No credential (METRICS_PUBLIC is set).'
      : 'Action `platform.metrics.read` (platform admins); METRICS_PUBLIC=true serves it without a credential.');
  const metricsDoc = {
    summary: 'Metrics',
    description: metricsDescription,
    tags: ['health'],
    ...(metricsPublic ? { security: [] } : {}),
    response: { '200': readReply('Metrics (text/plain)', z.string()), ...(metricsPublic ? {} : readErrors) },
  };
  app.withTypeProvider<ZodRequestTypes>().get('/metrics', { schema: metricsDoc }, async (request, reply) => {
    if (!metricsPublic) {
      const read = platformRead('platform.metrics.read', { type: 'metrics', id: null }, { type: 'ReadMetrics', data: {} });
      const allowed = await authorizeRead(platform.loader, request.principal, read);
      if (isAppError(allowed)) return sendError(reply, allowed);
    }
    return reply.type(metrics.contentType).send(await metrics.metrics());
  });
}
