import { z } from 'zod';
import { principalSchema } from '../shared/principal.ts';
import { version1Definitions, type EventUnion } from '../events/registry.ts';
import {
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

/** Every task event names the task, its org and its job, so a reader (a saga, a projection) needs no lookup. */
const taskRef = { taskId: z.uuid(), orgId: z.uuid(), jobId: z.uuid() };

const taskCreatedData = z.object({
  ...taskRef,
  parentTaskId: z.uuid().nullable(),
  contractId: z.uuid().nullable(),
  title: taskTitleSchema,
  input: taskInputSchema,
  assigneeSubjectId: z.uuid(),
  heartbeatTimeoutMs: heartbeatTimeoutMsSchema,
  maxAttempts: maxAttemptsSchema,
  createdBy: principalSchema,
  /** The decision's time (the pipeline's clock), so evolve stays a pure fold over event data. */
  createdAt: z.iso.datetime(),
});

const taskDispatchedData = z.object({
  ...taskRef,
  attempt: attemptSchema,
  /** Who the attempt goes to (the agent the dispatch is sent to). */
  assigneeSubjectId: z.uuid(),
  /** The heartbeat deadline of the attempt runs from here. */
  heartbeatTimeoutMs: heartbeatTimeoutMsSchema,
  dispatchedBy: principalSchema,
  dispatchedAt: z.iso.datetime(),
});

const taskProgressReportedData = z.object({
  ...taskRef,
  attempt: attemptSchema,
  progress: progressSchema,
  message: progressMessageSchema.nullable(),
  reportedAt: z.iso.datetime(),
});

const taskToolUsedData = z.object({
  ...taskRef,
  attempt: attemptSchema,
  tool: toolNameSchema,
  purpose: toolPurposeSchema.nullable(),
  usedAt: z.iso.datetime(),
});

const taskCompletedData = z.object({
  ...taskRef,
  attempt: attemptSchema,
  outputs: taskOutputsSchema,
  completedBy: principalSchema,
  completedAt: z.iso.datetime(),
});

const taskAttemptFailedData = z.object({
  ...taskRef,
  attempt: attemptSchema,
  reason: reasonSchema,
  /** Attempts are left (attempt < maxAttempts): the task waits in `retrying` for the next dispatch. */
  willRetry: z.boolean(),
  failedBy: principalSchema,
  failedAt: z.iso.datetime(),
});

const taskFailedData = z.object({
  ...taskRef,
  reason: reasonSchema,
  /** How many attempts were made. */
  attempts: attemptSchema,
  failedAt: z.iso.datetime(),
});

const taskReassignedData = z.object({
  ...taskRef,
  assigneeSubjectId: z.uuid(),
  previousAssigneeSubjectId: z.uuid(),
  /** The contract the task is under from now on (unchanged unless the command named another). */
  contractId: z.uuid().nullable(),
  reason: reasonSchema,
  reassignedBy: principalSchema,
  reassignedAt: z.iso.datetime(),
});

const taskReviewedData = z.object({
  ...taskRef,
  verdict: reviewVerdictSchema,
  note: noteSchema.nullable(),
  reviewedBy: principalSchema,
  reviewedAt: z.iso.datetime(),
});

const taskCancelledData = z.object({
  ...taskRef,
  reason: reasonSchema,
  cancelledBy: principalSchema,
  cancelledAt: z.iso.datetime(),
});

export const taskEventDefinitions = version1Definitions({
  TaskCreated: taskCreatedData,
  TaskDispatched: taskDispatchedData,
  TaskProgressReported: taskProgressReportedData,
  TaskToolUsed: taskToolUsedData,
  TaskCompleted: taskCompletedData,
  TaskAttemptFailed: taskAttemptFailedData,
  TaskFailed: taskFailedData,
  TaskReassigned: taskReassignedData,
  TaskReviewed: taskReviewedData,
  TaskCancelled: taskCancelledData,
});

export type TaskEvent = EventUnion<typeof taskEventDefinitions>;
export type TaskEventType = TaskEvent['type'];
