import { taskDecider } from '../../domain/task/decider.ts';
import { taskEventDefinitions } from '../../domain/task/events.ts';
import { isFinalTaskStatus, type Task, type TaskCompletion } from '../../domain/task/state.ts';
import type { JsonDocument } from '../../infra/documents/port.ts';
import { evolvingReadModel } from '../evolving-read-model.ts';
import { POSITION_FIELD, json, withoutBookkeeping } from '../read-model-writes.ts';
import type { JsonValue } from '../../domain/shared/json-value.ts';
import type { Stored } from './stored.ts';
import { asc, desc, index } from './index-fields.ts';

export const TASKS = 'tasks';

export const TASKS_PROJECTION = 'tasks';

/** A task's document: the task, its input and outputs as JSON text, `open`, `closedAt`, `revision` and `updatedAt`. */
export type TaskDocument = Stored<
  Omit<Task, 'input' | 'completion'> & {
    inputJson: string;
    completion: Omit<TaskCompletion, 'outputs'> | null;
    outputsJson: string | null;
    open: boolean;
    closedAt: string | null;
    revision: number;
    updatedAt: string;
  }
>;

/**
 * One document per task (`_id` = taskId): the domain's own fold (evolveTask): org, job, contract, assignee, status,
 * attempt, progress, `lastHeartbeatAt`, the latest failed attempt, the completion, the review, plus `open` (not
 * final), `closedAt`, `updatedAt` and the task stream's `revision`.
 *
 * The task's input and the outputs of its completion are free JSON whose keys are the job's and the agent's (a `.` or
 * `$` in one is not a storable document key): they are kept as JSON text, `inputJson` and `outputsJson`.
 */
export const tasksProjection = evolvingReadModel({
  name: TASKS_PROJECTION,
  version: 1,
  collection: TASKS,
  events: taskEventDefinitions,
  decider: taskDecider,
  idOf: (event) => event.data.taskId,
  fromDocument: taskFromDocument,
  toDocument: taskToDocument,
  stamps: { revision: true, final: (task) => isFinalTaskStatus(task.status) },
  indexes: [
    index('tasks_org_created', asc('orgId'), desc('createdAt')),
    index('tasks_org_status', asc('orgId'), asc('status')),
    index('tasks_org_assignee', asc('orgId'), asc('assigneeSubjectId'), asc('status')),
    index('tasks_job', asc('jobId'), desc('createdAt')),
    // GET /orgs/:orgId/tasks: each filter with the order, so a filtered page is a seek too.
    index('tasks_org_status_created', asc('orgId'), asc('status'), desc('createdAt')),
    index('tasks_org_assignee_created', asc('orgId'), asc('assigneeSubjectId'), desc('createdAt')),
    index('tasks_org_job_created', asc('orgId'), asc('jobId'), desc('createdAt')),
  ],
});

function taskToDocument(task: Task): Record<string, JsonValue> {
  const { input, completion, ...rest } = task;
  return {
    ...(json(rest) as Record<string, JsonValue>),
    inputJson: JSON.stringify(input),
    completion:
      completion === null
        ? null
        : (json({ attempt: completion.attempt, completedBy: completion.completedBy, completedAt: completion.completedAt }) as JsonValue),
    outputsJson: completion === null ? null : JSON.stringify(completion.outputs),
    open: !isFinalTaskStatus(task.status),
  };
}

const text = (value: JsonValue | undefined): string | null => (typeof value === 'string' ? value : null);
const record = (value: JsonValue | undefined): Record<string, JsonValue> | null =>
  value !== null && value !== undefined && typeof value === 'object' && !Array.isArray(value) ? value : null;

/** The task a stored document holds (the inverse of the projection's write). */
export function taskFromDocument(document: Record<string, JsonValue>): Task {
  const { inputJson, completion, outputsJson, open: _open, closedAt: _closedAt, revision: _revision, updatedAt: _updatedAt, ...rest } = document;
  const stored = record(completion);
  const outputs = text(outputsJson);
  return {
    ...(rest as unknown as Omit<Task, 'input' | 'completion'>),
    input: JSON.parse(text(inputJson) ?? 'null') as JsonValue,
    completion:
      stored === null || outputs === null
        ? null
        : { ...(stored as unknown as Omit<NonNullable<Task['completion']>, 'outputs'>), outputs: JSON.parse(outputs) as JsonValue },
  };
}

/** A task as the read APIs answer it: input and outputs parsed back. */
export function taskView(document: JsonDocument) {
  const task = taskFromDocument(withoutBookkeeping(document));
  return {
    ...task,
    outputs: task.completion?.outputs ?? null,
    closedAt: text(document.closedAt),
    revision: typeof document.revision === 'number' ? document.revision : 0,
    updatedAt: text(document.updatedAt) ?? task.createdAt,
    position: typeof document[POSITION_FIELD] === 'string' ? document[POSITION_FIELD] : '0',
  };
}
export type TaskView = ReturnType<typeof taskView>;
