import type { FastifyInstance } from 'fastify';
import type { Platform } from '../platform.ts';

export async function healthRoutes(app: FastifyInstance, platform: Platform): Promise<void> {
  /** Liveness: the process answers. */
  app.get('/health', { config: { public: true } }, async () => ({ status: 'ok' }));

  /** Readiness: the event store answers and the credential index is following the log. */
  app.get('/ready', { config: { public: true } }, async (_request, reply) => {
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
