import { beforeAll, describe, expect, it } from 'vitest';
import { required } from '../../domain/shared/required.ts';
import { useTestServer } from '../support/api-server.ts';
import type { WorkReply } from '../../domain/agent-protocol/messages.ts';
import { apiKeyId, workRequestSubject, type WorkRequestKind } from '../../domain/agent-protocol/subjects.ts';
import { hashApiKey } from '../../api/auth/api-key.ts';
import { apiClient } from './api.client.ts';
import { agentsStoppedAfterAll, type TestAgent, workAgent, workOrg } from '../support/work-fixtures.ts';

function nested(depth: number): unknown {
  let value: unknown = 1;
  for (let level = 0; level < depth; level += 1) value = [value];
  return value;
}

describe('the agents gateway on the bus refuses what it cannot attribute or parse, and records nothing', () => {
  const { server } = useTestServer();
  let orgId: string;
  let agent: TestAgent;
  let other: TestAgent;
  const agents = agentsStoppedAfterAll();
  const someId = '00000000-0000-4000-8000-000000000001';

  beforeAll(async () => {
    orgId = await workOrg(server, {});
    agent = await workAgent(server, { orgId, name: 'Caller', handlers: {} });
    agents.push(agent);
    other = await workAgent(server, { orgId, name: 'Other', handlers: {} });
    agents.push(other);
  });

  async function ask(subject: string, data: unknown, headers: Record<string, string>): Promise<WorkReply> {
    const reply = await server.platform.bus.request(subject, { data: data as never, headers }, { timeoutMs: 5_000 });
    return reply.data as unknown as WorkReply;
  }
  const bearer = (key: string) => ({ Authorization: `Bearer ${key}` });
  /** The caller's own request subject (the subject and key its credentials are for). */
  const own = (kind: string) => `agencygrid.work.${agent.id}.${apiKeyId(agent.key)}.${kind}`;
  const adminKeyId = () => required(server.platform.apiKeys.principalFor(hashApiKey(apiClient(server).adminKey)), 'the admin key').keyId;

  const cases: Array<[string, () => [string, unknown, Record<string, string>], string]> = [
    ['no Authorization header', () => [own('progress'), { orgId, taskId: someId, progress: 1 }, {}], 'UNAUTHENTICATED'],
    ['an unknown key', () => [own('progress'), { orgId, taskId: someId, progress: 1 }, bearer('agk_unknown.0123456789abcdef0123')], 'UNKNOWN_API_KEY'],
    // Someone's valid key on a subject that names another subject or key: the subject must be the key's own.
    ["another agent's key on the caller's subject", () => [own('progress'), { orgId, taskId: someId, progress: 1 }, bearer(other.key)], 'UNKNOWN_API_KEY'],
    [
      "the caller's key on another agent's subject",
      () => [workRequestSubject(other.id, required(apiKeyId(agent.key), 'the key id'), 'progress'), { orgId, taskId: someId, progress: 1 }, bearer(agent.key)],
      'UNKNOWN_API_KEY',
    ],
    [
      'a platform admin (agents act for themselves)',
      () => [workRequestSubject(agent.id, adminKeyId(), 'sign'), { orgId, contractId: someId }, bearer(apiClient(server).adminKey)],
      'AGENTS_ONLY',
    ],
    ['an unknown request kind', () => [own('bribe'), { orgId }, bearer(agent.key)], 'UNKNOWN_REQUEST'],
    ['a payload that is not an object', () => [own('propose'), 'a bid', bearer(agent.key)], 'VALIDATION_FAILED'],
    ['an unknown field', () => [own('sign'), { orgId, contractId: someId, party: 'org' }, bearer(agent.key)], 'VALIDATION_FAILED'],
    ['a malformed id', () => [own('inform'), { orgId, taskId: 'task-1', outputs: {} }, bearer(agent.key)], 'VALIDATION_FAILED'],
    [
      'a bad Idempotency-Key',
      () => [own('progress'), { orgId, taskId: someId, progress: 1 }, { ...bearer(agent.key), 'Idempotency-Key': 'a'.repeat(201) }],
      'INVALID_HEADER',
    ],
    ['a task that does not exist', () => [own('progress'), { orgId, taskId: someId, progress: 1 }, bearer(agent.key)], 'TASK_NOT_FOUND'],
    // Held to the limits every command is, before the request's own (recursive) schema runs.
    [
      'a sub-task input nested 1,000 levels (the sender’s own JSON.stringify overflows near 5,000)',
      () => [
        own('subtask'),
        { orgId, jobId: someId, parentTaskId: someId, contractId: null, key: 'deep', title: 'Deep', input: nested(1_000) },
        bearer(agent.key),
      ],
      'VALIDATION_FAILED',
    ],
    [
      'a lone surrogate in a progress message',
      () => [own('progress'), { orgId, taskId: someId, progress: 1, message: 'half \ud800' }, bearer(agent.key)],
      'VALIDATION_FAILED',
    ],
    [
      'U+0000 in an object key of task outputs',
      () => [own('inform'), { orgId, taskId: someId, outputs: { 'a\u0000b': 1 } }, bearer(agent.key)],
      'VALIDATION_FAILED',
    ],
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
    const reply = await ask(own('sign' satisfies WorkRequestKind), { orgId, contractId: someId, party: 'x' }, bearer(agent.key));
    expect(JSON.stringify(reply)).not.toContain(agent.key);
  });
});
