import { reasonSchema } from '../../domain/job/fields.ts';
import type { WorkStep } from './work-command.ts';

/** The longest reason a job's command takes. */
const MAX_REASON = reasonSchema.maxLength ?? Number.POSITIVE_INFINITY;

/**
 * The step that escalates a job to a role, as every work saga writes it: the reason is cut to what the job keeps, so
 * a long description or a long refusal never makes the escalation itself refused.
 */
export function escalateJob(
  job: { jobId: string; orgId: string },
  escalation: { reason: string; escalateTo: string; commandId: string },
): Extract<WorkStep<never>, { kind: 'command' }> {
  return {
    kind: 'command',
    command: {
      aggregate: 'job',
      type: 'EscalateJob',
      data: { jobId: job.jobId, orgId: job.orgId, reason: escalation.reason.slice(0, MAX_REASON), escalateTo: escalation.escalateTo },
    },
    commandId: escalation.commandId,
  };
}
