import { beforeAll, describe, expect, it } from 'vitest';
import { required } from '../../domain/shared/required.ts';
import { useWorkOrg } from '../support/work-org.ts';
import type { WorkReply } from '../../domain/agent-protocol/messages.ts';
import { apiKeyId, workRequestSubject } from '../../domain/agent-protocol/subjects.ts';
import type { TestAgent } from '../support/work-fixtures.ts';

describe("the agents gateway on the bus limits each agent's requests", () => {
  const work = useWorkOrg({}, { env: { AGENT_BUS_RATE_LIMIT: '3', RATE_LIMIT_WINDOW_MS: '600000' } });
  const { server } = work;
  let busy: TestAgent;
  let calm: TestAgent;
  const someTask = '00000000-0000-4000-8000-000000000001';

  beforeAll(async () => {
    busy = await work.agent({ name: 'Busy', handlers: {} });
    calm = await work.agent({ name: 'Calm', handlers: {} });
  });

  async function progress(agent: TestAgent): Promise<WorkReply> {
    const reply = await server.platform.bus.request(
      workRequestSubject(agent.id, required(apiKeyId(agent.key), 'the key id'), 'progress'),
      { data: { orgId: work.orgId, taskId: someTask, progress: 1 }, headers: { Authorization: `Bearer ${agent.key}` } },
      { timeoutMs: 5_000 },
    );
    return reply.data as unknown as WorkReply;
  }

  it('refuses an agent past its limit with RATE_LIMITED and when to retry, doing nothing for it; other agents go on', async () => {
    for (let index = 0; index < 3; index += 1) {
      const reply = await progress(busy);
      expect(reply.ok === false && reply.error.code).toBe('TASK_NOT_FOUND');
    }
    const before = await server.platform.store.headPosition();
    const refused = await progress(busy);
    expect(refused).toMatchObject({ ok: false, error: { code: 'RATE_LIMITED', details: { limit: 'busRequests', max: 3 } } });
    if (refused.ok) return;
    expect(refused.error.details.retryAfterMs).toBeGreaterThan(0);
    expect(await server.platform.store.headPosition()).toBe(before);

    const other = await progress(calm);
    expect(other.ok === false && other.error.code).toBe('TASK_NOT_FOUND');
  });
});
