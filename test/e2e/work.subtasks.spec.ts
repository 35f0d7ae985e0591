import { beforeAll, describe, expect, it } from 'vitest';
import { required } from '../../domain/shared/required.ts';
import { useWorkOrg } from '../support/work-org.ts';
import { AgentRequestError } from '../../api/agent-client/index.ts';
import { subtaskIdFor } from '../../domain/agent-protocol/subjects.ts';
import { streamEvents, submitJob, waitForJobEvent, waitForStreamEvent, type TestAgent } from '../support/work-fixtures.ts';
import type { JsonValue } from '../../domain/shared/json-value.ts';

describe('a task split into sub-tasks by its assignee', () => {
  const work = useWorkOrg({});
  const { server } = work;
  let agent: TestAgent;
  let outsider: TestAgent;
  const subtaskIds: string[] = [];
  let outsiderRefusal: AgentRequestError | undefined;
  let squatRefusal: AgentRequestError | undefined;

  beforeAll(async () => {
    outsider = await work.agent({ name: 'Outsider', handlers: {} });
    agent = await work.agent({
      name: 'Splitter',
      capabilities: { summarise: 2 },
      handlers: {
        onTask: async (task): Promise<JsonValue> => {
          if (task.parentTaskId !== null) return { part: (task.input as { part: string }).part.toUpperCase() };
          // The root task: split it in two, each a sub-task dispatched back to this agent, then fold the parts.
          const underTask = { orgId: work.orgId, jobId: task.jobId, parentTaskId: task.taskId, contractId: task.contractId };
          for (const part of ['intro', 'body']) {
            subtaskIds.push(subtaskIdFor(task.taskId, part));
            await agent.client.request('subtask', { ...underTask, key: part, title: part, input: { part } });
          }
          try {
            // An agent never picks a task's id: it would otherwise take the id of another job's task in advance.
            await agent.client.request('subtask', { ...underTask, key: 'x', taskId: task.taskId, title: 'squat' });
          } catch (error) {
            if (error instanceof AgentRequestError) squatRefusal = error;
          }
          try {
            await outsider.client.request('subtask', { ...underTask, key: 'mine now', title: 'mine now' });
          } catch (error) {
            if (error instanceof AgentRequestError) outsiderRefusal = error;
          }
          const parts: JsonValue[] = [];
          for (const id of subtaskIds) parts.push((await waitForStreamEvent(server, `task-${id}`, 'TaskCompleted')).outputs as JsonValue);
          return { parts };
        },
      },
    });
  });

  it("dispatches each sub-task to the assignee under the same contract, and delivers the root task's folded result", async () => {
    // The outsider lacks the capability, so the splitter is the one assigned.
    const jobId = await submitJob(server, work.orgId, { goal: 'summarise in parts', requiredCapabilities: [{ name: 'summarise', level: 1 }] });
    const delivered = await waitForJobEvent(server, jobId, 'JobDelivered');
    expect(delivered.deliverable).toEqual({ parts: [{ part: 'INTRO' }, { part: 'BODY' }] });
    const assigned = required(
      (await streamEvents(server, `job-${jobId}`)).find((event) => event.type === 'JobAssigned'),
      'the assignment',
    ).data;
    for (const id of subtaskIds) {
      const created = required((await streamEvents(server, `task-${id}`))[0], `the first event of task ${id}`);
      expect(created).toMatchObject({
        type: 'TaskCreated',
        data: { jobId, contractId: assigned.contractId, assigneeSubjectId: agent.id, createdBy: { id: agent.id, kind: 'subject' } },
      });
    }
    expect(outsiderRefusal?.code).toBe('NOT_THE_ASSIGNEE');
    expect(squatRefusal?.code).toBe('VALIDATION_FAILED');
    // One delivery: sub-tasks completing did not deliver the job.
    expect((await streamEvents(server, `job-${jobId}`)).filter((event) => event.type === 'JobDelivered')).toHaveLength(1);
  });
});
