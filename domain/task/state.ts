import { z } from 'zod';
import type { Principal } from '../shared/principal.ts';
import type { ReviewVerdict } from './fields.ts';
import type { JsonValue } from '../shared/json-value.ts';

export const taskStatusSchema = z.enum(['pending', 'dispatched', 'in_progress', 'completed', 'accepted', 'rejected', 'retrying', 'failed', 'cancelled']);
export type TaskStatus = z.infer<typeof taskStatusSchema>;

/** Statuses no command leaves: the task is over. */
export const finalTaskStatuses: readonly TaskStatus[] = ['accepted', 'rejected', 'failed', 'cancelled'];
export const isFinalTaskStatus = (status: TaskStatus) => finalTaskStatuses.includes(status);

/** The statuses in which an attempt runs: the assignee works (reports, uses tools, completes, fails). */
export const activeTaskStatuses: readonly TaskStatus[] = ['dispatched', 'in_progress'];

export interface TaskCompletion {
  outputs: JsonValue;
  attempt: number;
  completedBy: Principal;
  completedAt: string;
}

export interface TaskReview {
  verdict: ReviewVerdict;
  note: string | null;
  reviewedBy: Principal;
  reviewedAt: string;
}

export interface TaskAttemptFailure {
  attempt: number;
  reason: string;
  failedBy: Principal;
  failedAt: string;
}

export interface Task {
  taskId: string;
  orgId: string;
  jobId: string;
  parentTaskId: string | null;
  /** Whose terms bind the assignee's work; null: the task is under no contract. */
  contractId: string | null;
  title: string;
  input: JsonValue;
  assigneeSubjectId: string;
  heartbeatTimeoutMs: number;
  maxAttempts: number;
  createdBy: Principal;
  createdAt: string;
  status: TaskStatus;
  /** The number of the latest attempt dispatched; 0 before the first dispatch. Kept across reassignments. */
  attempt: number;
  /** The latest progress reported in the current attempt; null until one is reported (reset by each dispatch). */
  progress: number | null;
  /** When the current attempt last showed life (dispatch, progress report); null while no attempt runs. */
  lastHeartbeatAt: string | null;
  /** The latest failed attempt; null until one fails. */
  lastFailure: TaskAttemptFailure | null;
  completion: TaskCompletion | null;
  review: TaskReview | null;
  /** Why the task failed or was cancelled; null otherwise. */
  statusReason: string | null;
}

/** `null` until the task is created. */
export type TaskState = Task | null;

export const initialTaskState: TaskState = null;
