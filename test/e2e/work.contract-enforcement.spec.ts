import { beforeAll, describe, expect, it } from 'vitest';
import { required } from '../../domain/shared/required.ts';
import { useWorkOrg } from '../support/work-org.ts';
import { AgentRequestError } from '../../api/agent-client/index.ts';
import { streamEvents, submitJob, waitForJobEvent, type TestAgent } from '../support/work-fixtures.ts';

describe("an assignee's command outside its contract", () => {
  const work = useWorkOrg({ 'work.permittedTools': 'text.summarise' });
  const { server } = work;
  let agent: TestAgent;
  let refusal: AgentRequestError | undefined;

  beforeAll(async () => {
    agent = await work.agent({
      name: 'Curious',
      capabilities: { summarise: 1 },
      handlers: {
        onTask: async (_task, context) => {
          try {
            await context.useTool('web.search', 'look it up');
          } catch (error) {
            if (error instanceof AgentRequestError) refusal = error;
          }
          await context.useTool('text.summarise');
          return { summary: 'done within the contract' };
        },
      },
    });
  });

  it('is denied with the contract clause as the reason, and the breach is recorded on the contract', async () => {
    const jobId = await submitJob(server, work.orgId, { goal: 'summarise, no browsing' });
    const assigned = await waitForJobEvent(server, jobId, 'JobAssigned');
    await waitForJobEvent(server, jobId, 'JobVerified');

    expect(refusal?.code).toBe('CONTRACT_VIOLATION');
    expect(refusal?.details).toMatchObject({ contractId: assigned.contractId, clause: 'permittedTools', tool: 'web.search' });
    expect(refusal?.message).toContain('web.search');

    const contract = await streamEvents(server, `contract-${assigned.contractId}`);
    const breaches = contract.filter((event) => event.type === 'ContractBreached').map((event) => event.data);
    expect(breaches).toEqual([expect.objectContaining({ kind: 'forbidden_action', clause: 'permittedTools' })]);
    expect(String(required(breaches[0], 'the breach').details)).toContain(agent.id);

    const taskEvents = required(
      (await streamEvents(server, `job-${jobId}`)).find((event) => event.type === 'JobDelivered'),
      'the delivery',
    );
    const taskId = String(taskEvents.data.note).replace('delivered by task ', '');
    const tools = (await streamEvents(server, `task-${taskId}`)).filter((event) => event.type === 'TaskToolUsed').map((event) => event.data.tool);
    expect(tools).toEqual(['text.summarise']);
  });
});
