import type { TaskEvent } from './events.ts';
import type { TaskState } from './state.ts';

export function evolveTask(state: TaskState, event: TaskEvent): TaskState {
  if (event.type === 'TaskCreated') {
    const { createdBy, createdAt, ...task } = event.data;
    return {
      ...task,
      createdBy,
      createdAt,
      status: 'pending',
      attempt: 0,
      progress: null,
      lastHeartbeatAt: null,
      lastFailure: null,
      completion: null,
      review: null,
      statusReason: null,
    };
  }
  if (state === null) return state;
  switch (event.type) {
    case 'TaskDispatched': {
      const { attempt, dispatchedAt } = event.data;
      return { ...state, status: 'dispatched', attempt, progress: null, lastHeartbeatAt: dispatchedAt };
    }
    case 'TaskProgressReported': {
      const { progress, reportedAt } = event.data;
      return { ...state, status: 'in_progress', progress, lastHeartbeatAt: reportedAt };
    }
    case 'TaskToolUsed':
      return state;
    case 'TaskCompleted': {
      const { outputs, attempt, completedBy, completedAt } = event.data;
      return { ...state, status: 'completed', completion: { outputs, attempt, completedBy, completedAt }, lastHeartbeatAt: null };
    }
    case 'TaskAttemptFailed': {
      const { attempt, reason, willRetry, failedBy, failedAt } = event.data;
      return { ...state, status: willRetry ? 'retrying' : 'failed', lastFailure: { attempt, reason, failedBy, failedAt }, lastHeartbeatAt: null };
    }
    case 'TaskFailed':
      return { ...state, status: 'failed', statusReason: event.data.reason, lastHeartbeatAt: null };
    case 'TaskReassigned': {
      const { assigneeSubjectId, contractId } = event.data;
      return { ...state, status: 'pending', assigneeSubjectId, contractId, progress: null, lastHeartbeatAt: null };
    }
    case 'TaskReviewed': {
      const { verdict, note, reviewedBy, reviewedAt } = event.data;
      return { ...state, status: verdict === 'accept' ? 'accepted' : 'rejected', review: { verdict, note, reviewedBy, reviewedAt } };
    }
    case 'TaskCancelled':
      return { ...state, status: 'cancelled', statusReason: event.data.reason, lastHeartbeatAt: null };
  }
}
