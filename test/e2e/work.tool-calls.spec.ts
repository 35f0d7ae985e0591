import { beforeAll, describe, expect, it } from 'vitest';
import { apiClient } from './api.client.ts';
import { useWorkOrg } from '../support/work-org.ts';
import { streamEvents, submitJob, waitForJobEvent } from '../support/work-fixtures.ts';
import { answering, echoTool } from '../support/tool-calls.ts';

/** What the agent's calls were answered, for the test to look at once the job is done. */
const answers: Record<string, { status: number; body: Record<string, unknown> }> = {};

describe("an agent's tool calls for its task, over HTTP with its own key", () => {
  const runner = answering((input) => ({ echo: (input as { text: string }).text }));
  const work = useWorkOrg({ 'work.permittedTools': 'text.summarise' }, { toolRunner: runner });
  const { server } = work;
  let key = '';
  const agentKey = () => key;

  beforeAll(async () => {
    const api = apiClient(server);
    for (const name of ['text.summarise', 'web.search'])
      await api.expectStatus(await api.post(`/orgs/${work.orgId}/tools`, echoTool(name, { timeoutMs: 5_000 })), 201);
    const agent = await work.agent({
      name: 'Caller',
      capabilities: { summarise: 1 },
      handlers: {
        onTask: async (task, _context) => {
          for (const [label, tool, taskId] of [
            ['outside', 'web.search', task.taskId],
            ['within', 'text.summarise', task.taskId],
            ['no task', 'text.summarise', undefined],
          ] as const) {
            const response = await server.app.inject({
              method: 'POST',
              url: `/orgs/${work.orgId}/tools/${tool}/calls`,
              headers: { authorization: `Bearer ${agentKey()}` },
              payload: { input: { text: label }, ...(taskId === undefined ? {} : { taskId }) },
            });
            answers[label] = { status: response.statusCode, body: response.json() };
          }
          return { summary: 'done' };
        },
      },
    });
    // Its task comes once a job is submitted, in the test: the key is known by then.
    key = agent.key;
  });

  it('calls a tool its contract permits, and a tool outside it is refused and recorded as a breach of the contract', async () => {
    const jobId = await submitJob(server, work.orgId, { goal: 'summarise with tools' });
    const assigned = await waitForJobEvent(server, jobId, 'JobAssigned');
    await waitForJobEvent(server, jobId, 'JobVerified');

    expect(answers.within).toMatchObject({ status: 200, body: { status: 'succeeded', output: { echo: 'within' }, contractId: assigned.contractId } });
    expect(answers.outside).toMatchObject({
      status: 403,
      body: { code: 'CONTRACT_VIOLATION', details: { contractId: assigned.contractId, clause: 'permittedTools', tool: 'web.search' } },
    });
    // The default policy lets members call tools for a task only.
    expect(answers['no task']).toMatchObject({ status: 403, body: { code: 'POLICY_DENIED' } });

    const breaches = (await streamEvents(server, `contract-${assigned.contractId}`)).filter((event) => event.type === 'ContractBreached');
    expect(breaches.map((event) => event.data)).toEqual([expect.objectContaining({ kind: 'forbidden_action', clause: 'permittedTools' })]);
    expect(String(breaches[0]?.data.details)).toContain('web.search');
    expect(runner.requests.map((request) => request.input)).toEqual([{ text: 'within' }]);
  });
});
