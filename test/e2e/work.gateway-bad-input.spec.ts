import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WorkReply } from '../../api/agent-protocol/messages.ts';
import { workRequestSubject, type WorkRequestKind } from '../../api/agent-protocol/subjects.ts';
import { apiClient } from './api.client.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { workAgent, workOrg, type TestAgent } from '../support/work-fixtures.ts';

function nested(depth: number): unknown {
  let value: unknown = 1;
  for (let level = 0; level < depth; level += 1) value = [value];
  return value;
}

describe('the agents gateway on the bus refuses what it cannot attribute or parse, and records nothing', () => {
  let server: TestServer;
  let orgId: string;
  let agent: TestAgent;
  const someId = '00000000-0000-4000-8000-000000000001';

  beforeAll(async () => {
    server = await startTestServer();
    orgId = await workOrg(server, {});
    agent = await workAgent(server, { orgId, name: 'Caller', handlers: {} });
  });
  afterAll(async () => {
    await agent?.client.stop();
    await server.close();
  });

  async function ask(subject: string, data: unknown, headers: Record<string, string>): Promise<WorkReply> {
    const reply = await server.platform.bus.request(subject, { data: data as never, headers }, { timeoutMs: 5_000 });
    return reply.data as unknown as WorkReply;
  }
  const bearer = (key: string) => ({ Authorization: `Bearer ${key}` });

  const cases: Array<[string, () => [string, unknown, Record<string, string>], string]> = [
    ['no Authorization header', () => [workRequestSubject('progress'), { orgId, taskId: someId, progress: 1 }, {}], 'UNAUTHENTICATED'],
    ['an unknown key', () => [workRequestSubject('progress'), { orgId, taskId: someId, progress: 1 }, bearer('agk_unknown.0123456789abcdef0123')], 'UNAUTHENTICATED'],
    ['a platform admin (agents act for themselves)', () => [workRequestSubject('sign'), { orgId, contractId: someId }, bearer(apiClient(server).adminKey)], 'AGENTS_ONLY'],
    ['an unknown request kind', () => ['agencygrid.work.bribe', { orgId }, bearer(agent.key)], 'UNKNOWN_REQUEST'],
    ['a payload that is not an object', () => [workRequestSubject('propose'), 'a bid', bearer(agent.key)], 'VALIDATION_FAILED'],
    ['an unknown field', () => [workRequestSubject('sign'), { orgId, contractId: someId, party: 'org' }, bearer(agent.key)], 'VALIDATION_FAILED'],
    ['a malformed id', () => [workRequestSubject('inform'), { orgId, taskId: 'task-1', outputs: {} }, bearer(agent.key)], 'VALIDATION_FAILED'],
    ['a bad Idempotency-Key', () => [workRequestSubject('progress'), { orgId, taskId: someId, progress: 1 }, { ...bearer(agent.key), 'Idempotency-Key': 'a'.repeat(201) }], 'INVALID_HEADER'],
    ['a task that does not exist', () => [workRequestSubject('progress'), { orgId, taskId: someId, progress: 1 }, bearer(agent.key)], 'TASK_NOT_FOUND'],
    // Held to the limits every command is, before the request's own (recursive) schema runs.
    ['a sub-task input nested 1,000 levels (the sender’s own JSON.stringify overflows near 5,000)', () => [workRequestSubject('subtask'), { orgId, jobId: someId, parentTaskId: someId, contractId: null, key: 'deep', title: 'Deep', input: nested(1_000) }, bearer(agent.key)], 'VALIDATION_FAILED'],
    ['a lone surrogate in a progress message', () => [workRequestSubject('progress'), { orgId, taskId: someId, progress: 1, message: 'half \ud800' }, bearer(agent.key)], 'VALIDATION_FAILED'],
    ['U+0000 in an object key of task outputs', () => [workRequestSubject('inform'), { orgId, taskId: someId, outputs: { 'a\u0000b': 1 } }, bearer(agent.key)], 'VALIDATION_FAILED'],
  ];

  for (const [name, request, code] of cases) {
    it(`answers ${code} for ${name}`, async () => {
      const before = await server.platform.store.headPosition();
      const reply = await ask(...request());
      expect(reply.ok).toBe(false);
      if (reply.ok) return;
      expect(reply.error.code).toBe(code);
      expect(typeof reply.error.message).toBe('string');
      expect(reply.error.details).toBeTypeOf('object');
      // A refused request changes nothing but the audit trail of a policy denial (none of these reach a decision).
      const after = await server.platform.store.headPosition();
      const appended: string[] = [];
      for await (const event of server.platform.store.readAll({ fromPosition: before + 1n })) if (event.position <= after) appended.push(event.type);
      expect(appended.filter((type) => type !== 'DecisionRecorded' && type !== 'CommandCompleted')).toEqual([]);
    });
  }

  it('never puts the API key in the reply or the error details', async () => {
    const reply = await ask(workRequestSubject('sign' satisfies WorkRequestKind), { orgId, contractId: someId, party: 'x' }, bearer(agent.key));
    expect(JSON.stringify(reply)).not.toContain(agent.key);
  });
});
