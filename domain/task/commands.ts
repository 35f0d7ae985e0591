import { z } from 'zod';
import { commandUnion } from '../shared/command-schema.ts';
import { uuidSchema } from '../shared/ids.ts';
import {
  DEFAULT_HEARTBEAT_TIMEOUT_MS,
  DEFAULT_MAX_ATTEMPTS,
  attemptSchema,
  heartbeatTimeoutMsSchema,
  maxAttemptsSchema,
  noteSchema,
  progressMessageSchema,
  progressSchema,
  reasonSchema,
  reviewVerdictSchema,
  taskInputSchema,
  taskOutputsSchema,
  taskTitleSchema,
  toolPurposeSchema,
} from './fields.ts';
import { toolNameSchema } from '../tool/spec.ts';

/**
 * Every task command names the task's org as well as the task: the pipeline decides the policy of that org before
 * the task's stream is read, and the decider then refuses a command whose org is not the task's (as TASK_NOT_FOUND).
 */
const taskRef = { taskId: uuidSchema, orgId: uuidSchema };

export const taskCommandSchema = commandUnion({
  CreateTask: z
    .strictObject({
      ...taskRef,
      jobId: uuidSchema,
      parentTaskId: uuidSchema.nullable().default(null),
      /** The contract the assignee works under; null: the task is not under a contract (nothing to enforce). */
      contractId: uuidSchema.nullable().default(null),
      title: taskTitleSchema,
      /** Omitted: null. */
      input: taskInputSchema.optional(),
      assigneeSubjectId: uuidSchema,
      heartbeatTimeoutMs: heartbeatTimeoutMsSchema.default(DEFAULT_HEARTBEAT_TIMEOUT_MS),
      maxAttempts: maxAttemptsSchema.default(DEFAULT_MAX_ATTEMPTS),
    })
    .refine((data) => data.parentTaskId !== data.taskId, { message: 'a task cannot be its own parent', path: ['parentTaskId'] }),
  DispatchTask: z.strictObject({ ...taskRef, attempt: attemptSchema }),
  ReportTaskProgress: z.strictObject({ ...taskRef, progress: progressSchema, message: progressMessageSchema.optional() }),
  UseTool: z.strictObject({ ...taskRef, tool: toolNameSchema, purpose: toolPurposeSchema.optional() }),
  CompleteTask: z.strictObject({ ...taskRef, outputs: taskOutputsSchema }),
  FailTaskAttempt: z.strictObject({ ...taskRef, attempt: attemptSchema, reason: reasonSchema }),
  ReassignTask: z.strictObject({
    ...taskRef,
    assigneeSubjectId: uuidSchema,
    reason: reasonSchema,
    /**
     * The contract the new assignee works under. Omitted: the task keeps its contract (whose terms bind only the
     * contract's own assignee); null: the task is no longer under a contract.
     */
    contractId: uuidSchema.nullable().optional(),
  }),
  ReviewTask: z.strictObject({ ...taskRef, verdict: reviewVerdictSchema, note: noteSchema.optional() }),
  CancelTask: z.strictObject({ ...taskRef, reason: reasonSchema }),
});
export type TaskCommand = z.infer<typeof taskCommandSchema>;
export type TaskCommandType = TaskCommand['type'];

/**
 * The governed action of each command. The decider needs them too: an assignee's command is checked against the
 * actions its contract permits under these names.
 */
export const taskActions: Readonly<Record<TaskCommandType, string>> = {
  CreateTask: 'task.create',
  DispatchTask: 'task.dispatch',
  ReportTaskProgress: 'task.progress',
  UseTool: 'task.tool.use',
  CompleteTask: 'task.complete',
  FailTaskAttempt: 'task.fail',
  ReassignTask: 'task.reassign',
  ReviewTask: 'task.review',
  CancelTask: 'task.cancel',
};
