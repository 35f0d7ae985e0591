import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { contractedTaskAggregate } from '../../commands/handlers/contracted-task.ts';
import { taskActions, taskCommandSchema, type TaskCommandType } from '../../domain/task/commands.ts';
import { uuidSchema } from '../../domain/shared/ids.ts';
import type { Platform } from '../platform.ts';
import { orgIdParam } from './orgs.ts';
import { commandErrors, commandReply } from '../openapi/responses.ts';
import { commandBody, type CommandRouteSchema, bodyWithPath, commandRoute } from './command-route.ts';

const tags = ['tasks'];
const taskParams = { ...orgIdParam, taskId: uuidSchema.describe('the task id') };

/**
 * The task commands of people and the platform's operators: path segment, command, summary, description. The
 * assignee's own (progress, tool use, completion, failure) are agent requests (`/agent/requests/<kind>`); creating
 * and dispatching are the execution saga's.
 */
const commands: ReadonlyArray<readonly [string, TaskCommandType, string, string]> = [
  [
    'review',
    'ReviewTask',
    "Review a completed task's outputs",
    "`verdict` `accept` or `reject`, with an optional note. Only while `completed`; by a verifier the task's contract lists, or the platform (an admin); never the assignee (403 NOT_THE_VERIFIER).",
  ],
  ['cancel', 'CancelTask', 'Cancel a task', 'With a reason; final. Any status but a final one.'],
  [
    'reassign',
    'ReassignTask',
    'Reassign a task',
    'To another assignee, with a reason, back to `pending` (the attempt count is kept; 409 ATTEMPTS_EXHAUSTED when none is left). `contractId` names the contract the new assignee works under (omitted: unchanged; null: none). The platform only (an admin): 403 NOT_THE_PLATFORM.',
  ],
];

function doc(type: TaskCommandType, summary: string, description: string): CommandRouteSchema {
  return {
    summary,
    description: `${type} (action \`${taskActions[type]}\`). ${description} Lifecycle: domain/task/README.md; a command its status does not accept is 409 ILLEGAL_TRANSITION; a task of another org is 404 TASK_NOT_FOUND.`,
    tags,
    params: z.object(taskParams),
    body: commandBody(taskCommandSchema, type, { fromPath: ['orgId', 'taskId'] }),
    response: { '200': commandReply('Done', { taskId: z.uuid() }), ...commandErrors },
  };
}

const taskIdOf = (streamId: string) => streamId.slice('task-'.length);

/** Tasks: review, cancellation and reassignment, checked against the task's contract (contractedTaskAggregate). */
export async function taskRoutes(app: FastifyInstance, platform: Platform): Promise<void> {
  for (const [path, type, summary, description] of commands) {
    commandRoute(app, platform, {
      url: `/orgs/:orgId/tasks/:taskId/${path}`,
      aggregate: contractedTaskAggregate,
      schema: doc(type, summary, description),
      build: bodyWithPath(type, ['orgId', 'taskId']),
      reply: (result) => ({ taskId: taskIdOf(result.streamId) }),
    });
  }
}
