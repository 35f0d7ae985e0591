import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectRefusal } from '../support/refusal.ts';
import { useTestServer } from '../support/api-server.ts';
import { taskIdFor } from '../../processes/work/execution-saga.ts';
import { submitJob, waitForJobEvent, waitForStreamEvent, workAgent, workOrg, type TestAgent } from '../support/work-fixtures.ts';
import { apiClient } from './api.client.ts';

type Request = { url: string; as?: 'admin' | 'agent' | 'nobody'; headers?: Record<string, string>; payload?: string | object };
type Ids = { orgId: string; contractId: string; taskId: string; jobId: string };

const json = { 'content-type': 'application/json' };
const long = (length: number) => 'x'.repeat(length);
const unknownId = '00000000-0000-4000-8000-00000000beef';

/**
 * Malformed requests to the work command routes, against a real job whose contract is active and whose task is
 * dispatched: each answers a 4xx in the uniform shape, with the field that is wrong when there is one, and appends
 * nothing. Contract and task routes are called as a platform admin (nothing refused by policy first: a denial is
 * recorded), agent requests as the job's agent unless the case says otherwise.
 */
const cases: Array<[string, (ids: Ids) => Request, number, string, string[]?]> = [
  // Who may call
  [
    'an agent request without a credential',
    ({ orgId, taskId }) => ({ url: '/agent/requests/progress', as: 'nobody', payload: { orgId, taskId, progress: 1 } }),
    401,
    'UNAUTHENTICATED',
  ],
  [
    'an agent request with an unknown key',
    ({ orgId, taskId }) => ({
      url: '/agent/requests/progress',
      as: 'nobody',
      headers: { authorization: 'Bearer not-a-key-0123456789' },
      payload: { orgId, taskId, progress: 1 },
    }),
    401,
    'UNKNOWN_API_KEY',
  ],
  [
    'a contract review without a credential',
    ({ orgId, contractId }) => ({ url: `/orgs/${orgId}/contracts/${contractId}/review`, as: 'nobody', payload: { approve: true } }),
    401,
    'UNAUTHENTICATED',
  ],
  [
    'a task cancellation without a credential',
    ({ orgId, taskId }) => ({ url: `/orgs/${orgId}/tasks/${taskId}/cancel`, as: 'nobody', payload: { reason: 'x' } }),
    401,
    'UNAUTHENTICATED',
  ],
  [
    'an admin making an agent request',
    ({ orgId, taskId }) => ({ url: '/agent/requests/progress', as: 'admin', payload: { orgId, taskId, progress: 1 } }),
    403,
    'AGENTS_ONLY',
  ],
  [
    'an admin signing as an agent',
    ({ orgId, contractId }) => ({ url: '/agent/requests/sign', as: 'admin', payload: { orgId, contractId } }),
    403,
    'AGENTS_ONLY',
  ],
  // Agent requests
  ['an agent request of an unknown kind', ({ orgId, taskId }) => ({ url: '/agent/requests/teleport', payload: { orgId, taskId } }), 404, 'UNKNOWN_REQUEST'],
  ['an agent request of a bus-only kind', ({ orgId, taskId }) => ({ url: '/agent/requests/dispatch', payload: { orgId, taskId } }), 404, 'UNKNOWN_REQUEST'],
  ['progress without a task', ({ orgId }) => ({ url: '/agent/requests/progress', payload: { orgId, progress: 10 } }), 400, 'VALIDATION_FAILED', ['taskId']],
  [
    'progress with a non-UUID org',
    ({ taskId }) => ({ url: '/agent/requests/progress', payload: { orgId: 'acme', taskId, progress: 10 } }),
    400,
    'VALIDATION_FAILED',
    ['orgId'],
  ],
  [
    'progress as a string',
    ({ orgId, taskId }) => ({ url: '/agent/requests/progress', payload: { orgId, taskId, progress: 'half' } }),
    400,
    'VALIDATION_FAILED',
    ['progress'],
  ],
  [
    'progress over 100',
    ({ orgId, taskId }) => ({ url: '/agent/requests/progress', payload: { orgId, taskId, progress: 150 } }),
    400,
    'VALIDATION_FAILED',
    ['progress'],
  ],
  [
    'progress with an unknown field',
    ({ orgId, taskId }) => ({ url: '/agent/requests/progress', payload: { orgId, taskId, progress: 10, subjectId: unknownId } }),
    400,
    'VALIDATION_FAILED',
  ],
  [
    'progress on a task that does not exist',
    ({ orgId }) => ({ url: '/agent/requests/progress', payload: { orgId, taskId: unknownId, progress: 10 } }),
    404,
    'TASK_NOT_FOUND',
  ],
  ['a tool use without a tool', ({ orgId, taskId }) => ({ url: '/agent/requests/tool', payload: { orgId, taskId } }), 400, 'VALIDATION_FAILED', ['tool']],
  [
    'a tool name that is not a tool name',
    ({ orgId, taskId }) => ({ url: '/agent/requests/tool', payload: { orgId, taskId, tool: 'rm -rf /' } }),
    400,
    'VALIDATION_FAILED',
    ['tool'],
  ],
  [
    'a completion without outputs',
    ({ orgId, taskId }) => ({ url: '/agent/requests/inform', payload: { orgId, taskId, outputs: null } }),
    400,
    'VALIDATION_FAILED',
    ['outputs'],
  ],
  [
    'a failure of attempt zero',
    ({ orgId, taskId }) => ({ url: '/agent/requests/failure', payload: { orgId, taskId, attempt: 0, reason: 'x' } }),
    400,
    'VALIDATION_FAILED',
    ['attempt'],
  ],
  [
    'a bid whose price is a string',
    ({ orgId, jobId }) => ({ url: '/agent/requests/propose', payload: { orgId, jobId, round: 1, bid: { price: 'cheap' } } }),
    400,
    'VALIDATION_FAILED',
    ['bid', 'price'],
  ],
  [
    'a sign request naming the party',
    ({ orgId, contractId }) => ({ url: '/agent/requests/sign', payload: { orgId, contractId, party: 'org' } }),
    400,
    'VALIDATION_FAILED',
  ],
  [
    'a refusal without a reason',
    ({ orgId, contractId }) => ({ url: '/agent/requests/refuse', payload: { orgId, contractId } }),
    400,
    'VALIDATION_FAILED',
    ['reason'],
  ],
  [
    'a verdict that is not a boolean',
    ({ orgId, jobId }) => ({ url: '/agent/requests/verdict', payload: { orgId, jobId, accept: 'yes' } }),
    400,
    'VALIDATION_FAILED',
    ['accept'],
  ],
  ['an agent request without a body', () => ({ url: '/agent/requests/progress' }), 400, 'VALIDATION_FAILED'],
  [
    'an agent request body that is an array',
    ({ orgId, taskId }) => ({ url: '/agent/requests/progress', headers: json, payload: JSON.stringify([{ orgId, taskId, progress: 1 }]) }),
    400,
    'VALIDATION_FAILED',
  ],
  ['an agent request body that is not JSON', () => ({ url: '/agent/requests/progress', headers: json, payload: '{"progress":' }), 400, 'INVALID_JSON'],
  [
    'an agent request body sent as text',
    () => ({ url: '/agent/requests/progress', headers: { 'content-type': 'text/plain' }, payload: 'progress=1' }),
    415,
    'UNSUPPORTED_MEDIA_TYPE',
  ],
  [
    'an agent request with a malformed Idempotency-Key',
    ({ orgId, taskId }) => ({ url: '/agent/requests/progress', headers: { 'idempotency-key': 'two words' }, payload: { orgId, taskId, progress: 1 } }),
    400,
    'INVALID_HEADER',
  ],
  [
    'an agent request with If-Match',
    ({ orgId, taskId }) => ({ url: '/agent/requests/progress', headers: { 'if-match': '"2"' }, payload: { orgId, taskId, progress: 1 } }),
    400,
    'INVALID_HEADER',
  ],
  [
    'an agent request over 1 MiB',
    ({ orgId, taskId }) => ({ url: '/agent/requests/inform', headers: json, payload: JSON.stringify({ orgId, taskId, outputs: long(1_100_000) }) }),
    413,
    'PAYLOAD_TOO_LARGE',
  ],
  // Contracts
  [
    'a review whose approval is a string',
    ({ orgId, contractId }) => ({ url: `/orgs/${orgId}/contracts/${contractId}/review`, payload: { approve: 'yes' } }),
    400,
    'VALIDATION_FAILED',
    ['approve'],
  ],
  [
    'a disapproval without a note',
    ({ orgId, contractId }) => ({ url: `/orgs/${orgId}/contracts/${contractId}/review`, payload: { approve: false } }),
    400,
    'VALIDATION_FAILED',
    ['note'],
  ],
  [
    'a review of a non-UUID contract',
    ({ orgId }) => ({ url: `/orgs/${orgId}/contracts/first/review`, payload: { approve: true } }),
    400,
    'VALIDATION_FAILED',
    ['contractId'],
  ],
  [
    'a review in a non-UUID org',
    ({ contractId }) => ({ url: `/orgs/acme/contracts/${contractId}/review`, payload: { approve: true } }),
    400,
    'VALIDATION_FAILED',
    ['orgId'],
  ],
  [
    'a review of a contract that does not exist',
    ({ orgId }) => ({ url: `/orgs/${orgId}/contracts/${unknownId}/review`, payload: { approve: true } }),
    404,
    'CONTRACT_NOT_FOUND',
  ],
  [
    'a signature for an unknown party',
    ({ orgId, contractId }) => ({ url: `/orgs/${orgId}/contracts/${contractId}/sign`, payload: { party: 'judge' } }),
    400,
    'VALIDATION_FAILED',
    ['party'],
  ],
  [
    'a signature naming the contract in its body',
    ({ orgId, contractId }) => ({ url: `/orgs/${orgId}/contracts/${contractId}/sign`, payload: { party: 'org', contractId } }),
    400,
    'VALIDATION_FAILED',
    ['contractId'],
  ],
  [
    'a rejection without a reason',
    ({ orgId, contractId }) => ({ url: `/orgs/${orgId}/contracts/${contractId}/reject`, payload: { party: 'org' } }),
    400,
    'VALIDATION_FAILED',
    ['reason'],
  ],
  [
    'a rejection with a blank reason',
    ({ orgId, contractId }) => ({ url: `/orgs/${orgId}/contracts/${contractId}/reject`, payload: { party: 'org', reason: '   ' } }),
    400,
    'VALIDATION_FAILED',
    ['reason'],
  ],
  [
    'an extension to a date that is not a time',
    ({ orgId, contractId }) => ({ url: `/orgs/${orgId}/contracts/${contractId}/obligations/delivery/extend`, payload: { dueAt: 'tomorrow' } }),
    400,
    'VALIDATION_FAILED',
    ['dueAt'],
  ],
  [
    'an extension of a malformed obligation id',
    ({ orgId, contractId }) => ({ url: `/orgs/${orgId}/contracts/${contractId}/obligations/Not%20An%20Id/extend`, payload: { dueAt: '2999-01-01T00:00:00Z' } }),
    400,
    'VALIDATION_FAILED',
    ['obligationId'],
  ],
  [
    'an extension of an obligation the contract does not have',
    ({ orgId, contractId }) => ({ url: `/orgs/${orgId}/contracts/${contractId}/obligations/report/extend`, payload: { dueAt: '2999-01-01T00:00:00Z' } }),
    404,
    'OBLIGATION_NOT_FOUND',
  ],
  [
    'a termination with a reason over 1000 characters',
    ({ orgId, contractId }) => ({ url: `/orgs/${orgId}/contracts/${contractId}/terminate`, payload: { reason: long(1001) } }),
    400,
    'VALIDATION_FAILED',
    ['reason'],
  ],
  [
    'a termination with an unknown field',
    ({ orgId, contractId }) => ({ url: `/orgs/${orgId}/contracts/${contractId}/terminate`, payload: { reason: 'x', force: true } }),
    400,
    'VALIDATION_FAILED',
  ],
  // Contracts are drafted by the assignment saga; the path lists them (GET) and takes no POST.
  ['drafting a contract over HTTP', ({ orgId }) => ({ url: `/orgs/${orgId}/contracts`, payload: { jobId: unknownId } }), 405, 'METHOD_NOT_ALLOWED'],
  [
    'a contract command body that is an array',
    ({ orgId, contractId }) => ({ url: `/orgs/${orgId}/contracts/${contractId}/terminate`, headers: json, payload: '["x"]' }),
    400,
    'VALIDATION_FAILED',
  ],
  [
    'a contract command with a malformed If-Match',
    ({ orgId, contractId }) => ({ url: `/orgs/${orgId}/contracts/${contractId}/terminate`, headers: { 'if-match': 'latest' }, payload: { reason: 'x' } }),
    400,
    'INVALID_HEADER',
  ],
  // Tasks
  [
    'a task review with an unknown verdict',
    ({ orgId, taskId }) => ({ url: `/orgs/${orgId}/tasks/${taskId}/review`, payload: { verdict: 'maybe' } }),
    400,
    'VALIDATION_FAILED',
    ['verdict'],
  ],
  [
    'a task review of a non-UUID task',
    ({ orgId }) => ({ url: `/orgs/${orgId}/tasks/latest/review`, payload: { verdict: 'accept' } }),
    400,
    'VALIDATION_FAILED',
    ['taskId'],
  ],
  [
    'a task cancellation without a reason',
    ({ orgId, taskId }) => ({ url: `/orgs/${orgId}/tasks/${taskId}/cancel`, payload: {} }),
    400,
    'VALIDATION_FAILED',
    ['reason'],
  ],
  [
    'a task cancellation naming the org in its body',
    ({ orgId, taskId }) => ({ url: `/orgs/${orgId}/tasks/${taskId}/cancel`, payload: { orgId, reason: 'x' } }),
    400,
    'VALIDATION_FAILED',
    ['orgId'],
  ],
  [
    'a cancellation of a task that does not exist',
    ({ orgId }) => ({ url: `/orgs/${orgId}/tasks/${unknownId}/cancel`, payload: { reason: 'x' } }),
    404,
    'TASK_NOT_FOUND',
  ],
  [
    'a reassignment to a non-UUID subject',
    ({ orgId, taskId }) => ({ url: `/orgs/${orgId}/tasks/${taskId}/reassign`, payload: { assigneeSubjectId: 'bob', reason: 'x' } }),
    400,
    'VALIDATION_FAILED',
    ['assigneeSubjectId'],
  ],
  [
    'a reassignment under a non-UUID contract',
    ({ orgId, taskId }) => ({ url: `/orgs/${orgId}/tasks/${taskId}/reassign`, payload: { assigneeSubjectId: unknownId, reason: 'x', contractId: 'none' } }),
    400,
    'VALIDATION_FAILED',
    ['contractId'],
  ],
  [
    'a reassignment without a reason',
    ({ orgId, taskId }) => ({ url: `/orgs/${orgId}/tasks/${taskId}/reassign`, payload: { assigneeSubjectId: unknownId } }),
    400,
    'VALIDATION_FAILED',
    ['reason'],
  ],
  [
    'a task command body that is not JSON',
    ({ orgId, taskId }) => ({ url: `/orgs/${orgId}/tasks/${taskId}/cancel`, headers: json, payload: '{"reason":' }),
    400,
    'INVALID_JSON',
  ],
  [
    'a task command over 1 MiB',
    ({ orgId, taskId }) => ({ url: `/orgs/${orgId}/tasks/${taskId}/cancel`, headers: json, payload: JSON.stringify({ reason: long(1_100_000) }) }),
    413,
    'PAYLOAD_TOO_LARGE',
  ],
];

describe('malformed requests to the work command routes', () => {
  const { server } = useTestServer();
  let agent: TestAgent;
  const ids: Ids = { orgId: '', contractId: '', taskId: '', jobId: '' };

  /** Until the sagas have handled everything in the log and appended nothing more in doing so. */
  async function settled(): Promise<void> {
    for (;;) {
      const head = await server.platform.store.headPosition();
      expect(await server.platform.work.settled(head, 10_000)).toBe(true);
      if ((await server.platform.store.headPosition()) === head) return;
    }
  }

  beforeAll(async () => {
    const api = apiClient(server);
    // No heartbeat timer fires during the run; the job's deadline gives the contract a `delivery` obligation.
    ids.orgId = await workOrg(server, { 'work.taskHeartbeatMs': '86400000' });
    agent = await workAgent(server, { orgId: ids.orgId, name: 'Careless agent', handlers: {}, start: false });
    ids.jobId = await submitJob(server, ids.orgId, { deadline: new Date(Date.now() + 86_400_000).toISOString() });
    ids.contractId = (await waitForStreamEvent(server, `assignment-${ids.jobId}`, 'AssignmentAwarded')).contractId as string;
    await waitForStreamEvent(server, `contract-${ids.contractId}`, 'ContractSigned');
    await api.expectStatus(await api.post('/agent/requests/sign', { orgId: ids.orgId, contractId: ids.contractId }, agent.key), 200);
    await waitForJobEvent(server, ids.jobId, 'JobAssigned');
    ids.taskId = taskIdFor(ids.contractId);
    await waitForStreamEvent(server, `task-${ids.taskId}`, 'TaskDispatched');
    await settled();
  }, 30_000);
  afterAll(async () => {
    await agent?.client.stop();
  });

  it.each(cases)('answers %s with a 4xx {code, message, details} and appends nothing', async (_name, build, status, code, path) => {
    const request = build(ids);
    const as = request.as ?? (request.url.startsWith('/agent/') ? 'agent' : 'admin');
    const credential = as === 'admin' ? server.auth : as === 'agent' ? { authorization: `Bearer ${agent.key}` } : {};
    const body = await expectRefusal(server, request, status, code, credential);
    if (path) expect(body.details.issues).toEqual(expect.arrayContaining([expect.objectContaining({ path })]));
  });

  it('names the kinds there are when the kind is unknown', async () => {
    const response = await server.app.inject({
      method: 'POST',
      url: '/agent/requests/teleport',
      headers: { authorization: `Bearer ${agent.key}` },
      payload: {},
    });
    expect(response.statusCode).toBe(404);
    expect(response.json().details).toEqual({
      kind: 'teleport',
      known: ['propose', 'sign', 'refuse', 'progress', 'tool', 'subtask', 'inform', 'failure', 'verdict'],
    });
  });

  it('refuses a well-formed request of an id it was not given: the same key for another command', async () => {
    const key = `reuse-${randomUUID()}`;
    const post = (progress: number) =>
      server.app.inject({
        method: 'POST',
        url: '/agent/requests/progress',
        headers: { authorization: `Bearer ${agent.key}`, 'idempotency-key': key },
        payload: { orgId: ids.orgId, taskId: ids.taskId, progress },
      });
    expect((await post(5)).statusCode).toBe(200);
    const head = await server.platform.store.headPosition();
    const reused = await post(6);
    expect(reused.statusCode).toBe(422);
    expect(reused.json()).toMatchObject({ code: 'IDEMPOTENCY_KEY_REUSED', details: expect.any(Object) });
    expect(await server.platform.store.headPosition()).toBe(head);
  });
});
