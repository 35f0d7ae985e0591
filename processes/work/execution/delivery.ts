import type { VerificationRequest } from '../../../domain/agent-protocol/messages.ts';
import { agentInboxSubject } from '../../../domain/agent-protocol/subjects.ts';
import type { SagaEvent } from '../../saga-runner.ts';
import type { ExecutionState } from './state.ts';
import { type ExecutionStep, startWork } from './steps.ts';
import { type ExecutionTimer, VERDICT_DUE } from './timer-refs.ts';
import { escalateJob } from '../escalate-job.ts';

/** A completed root task: its outputs delivered on the job. */
export function onCompleted(event: SagaEvent<'TaskCompleted'>, state: ExecutionState): ExecutionStep[] {
  const { taskId } = event.data;
  const { task, job } = state;
  // A sub-task's result is its parent's business (the assignee folds it into the parent's result).
  if (task === null || task.completion === null || task.parentTaskId !== null) return [];
  if (job === null || job.assignment?.contractId !== task.contractId) return [];
  const outputs = task.completion.outputs === null ? { result: null } : task.completion.outputs;
  return [
    ...(job.status === 'assigned' ? [startWork(taskId, job.jobId, job.orgId)] : []),
    {
      kind: 'command',
      command: {
        aggregate: 'job',
        type: 'DeliverJob',
        data: { jobId: job.jobId, orgId: job.orgId, deliverable: outputs, note: `delivered by task ${taskId}` },
      },
      commandId: `exec:${taskId}:deliver`,
    },
  ];
}

/** A delivery: verified by the platform when the job has no verifiers, else sent to them with a deadline. */
export function onDelivered(event: SagaEvent<'JobDelivered'>, state: ExecutionState): ExecutionStep[] {
  const { jobId } = event.data;
  const { job, settings } = state;
  if (job === null || settings === null || job.status !== 'delivered' || job.delivery === null) return [];
  if (job.verifierSubjectIds.length === 0) {
    return [
      {
        kind: 'command',
        command: {
          aggregate: 'job',
          type: 'VerifyJob',
          data: { jobId, orgId: job.orgId, note: `completion mode ${job.completionMode}: accepted on delivery by the platform` },
        },
        commandId: `exec:${jobId}:verify:${event.eventId}`,
      },
    ];
  }
  // Verifiers are asked once: without a verdict in time, the job is escalated rather than left delivered for good.
  const timeoutMs = settings.verificationTimeoutMs;
  const { deliveredAt, deliverable } = job.delivery;
  const timer = {
    key: `${VERDICT_DUE}:${jobId}:${deliveredAt}`,
    orgId: job.orgId,
    dueAt: new Date(Date.parse(deliveredAt) + timeoutMs).toISOString(),
    purpose: VERDICT_DUE,
    ref: { jobId, deliveredAt, timeoutMs },
  };
  const request: VerificationRequest = { orgId: job.orgId, jobId, goal: job.goal, deliverable, outputTemplate: job.outputTemplate };
  return [
    { kind: 'schedule', timer },
    ...job.verifierSubjectIds.map((verifier): ExecutionStep => ({ kind: 'publish', subject: agentInboxSubject(verifier, 'verify'), data: request })),
  ];
}

/** No verdict in time: the job is escalated. */
export function onVerdictDue(timer: Extract<ExecutionTimer, { purpose: typeof VERDICT_DUE }>, state: ExecutionState): ExecutionStep[] {
  const { job, settings } = state;
  if (job === null || settings === null || job.status !== 'delivered' || job.delivery?.deliveredAt !== timer.deliveredAt) return [];
  return [
    escalateJob(job, {
      reason: `no verdict on the delivery within ${String(timer.timeoutMs)} ms`,
      escalateTo: settings.escalateTo,
      commandId: `exec:${job.jobId}:${timer.deliveredAt}:verdict-due`,
    }),
  ];
}
