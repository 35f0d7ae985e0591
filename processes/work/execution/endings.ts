import type { ExecutionFollowUp } from './follow-ups.ts';
import { taskIdFor } from './ids.ts';
import type { ExecutionState } from './state.ts';
import { cancelTask, type ExecutionStep } from './steps.ts';
import { escalateJob } from '../escalate-job.ts';

/**
 * Reassignment is an escalation the platform resolves at once, both on record: the job goes back to contracting,
 * its contract is terminated and the assignment starts a new round without the previous assignee. Should nobody
 * else be eligible, the assignment's own escalation brings a human in.
 */
export function reassign(input: Extract<ExecutionFollowUp, { type: 'reassign' }>, state: ExecutionState): ExecutionStep[] {
  const { jobId, eventId } = input;
  const { job, settings } = state;
  if (job === null || settings === null) return [];
  const ours = input.reason.slice(0, 1000);
  const resolve: ExecutionStep = {
    kind: 'command',
    command: { aggregate: 'job', type: 'ResolveEscalation', data: { jobId, orgId: job.orgId, resolution: 'reassign', note: 'reassigned by the platform' } },
    commandId: `exec:${jobId}:${eventId}:reassign`,
  };
  // Already escalated by this very step (a retry after the first half): go on and resolve.
  if (job.status === 'escalated' && job.escalation?.reason === ours && job.escalation.escalatedBy.kind === 'system') return [resolve];
  if (job.status !== 'assigned' && job.status !== 'in_progress') return [];
  return [
    {
      ...escalateJob({ jobId, orgId: job.orgId }, { reason: ours, escalateTo: settings.escalateTo, commandId: `exec:${jobId}:${eventId}:escalate` }),
      ifRefused: 'stop',
    },
    resolve,
  ];
}

/** The contract (and open task) of the job's latest assignment, once the job is over or sent back. */
export function endContract(state: ExecutionState, how: 'fulfil' | 'terminate', reason: string): ExecutionStep[] {
  const { lastAssignment, task } = state;
  if (lastAssignment === null) return [];
  const { contractId, orgId } = lastAssignment;
  if (how === 'fulfil') {
    return [
      { kind: 'command', command: { aggregate: 'contract', type: 'FulfilContract', data: { contractId, orgId } }, commandId: `exec:${contractId}:fulfil` },
    ];
  }
  const taskId = taskIdFor(contractId);
  const open = task !== null && task.taskId === taskId && !['completed', 'accepted', 'rejected', 'failed', 'cancelled'].includes(task.status);
  return [
    ...(open ? cancelTask({ taskId, orgId, assigneeSubjectId: task.assigneeSubjectId }, reason) : []),
    {
      kind: 'command',
      command: { aggregate: 'contract', type: 'TerminateContract', data: { contractId, orgId, reason } },
      commandId: `exec:${contractId}:terminate`,
    },
  ];
}
