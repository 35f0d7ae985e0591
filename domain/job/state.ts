import { z } from 'zod';
import type { Principal } from '../shared/principal.ts';
import type { AssignmentStrategy, Budget, CapabilityRequirement, CompletionMode, JobPriority } from './fields.ts';
import type { JsonObject, JsonValue } from '../shared/json-value.ts';

export const jobStatusSchema = z.enum([
  'submitted',
  'contracting',
  'assigned',
  'in_progress',
  'delivered',
  'verified',
  'rejected',
  'failed',
  'cancelled',
  'escalated',
]);
export type JobStatus = z.infer<typeof jobStatusSchema>;

/** Statuses no command leaves: the job is over. */
export const finalJobStatuses: readonly JobStatus[] = ['verified', 'rejected', 'failed', 'cancelled'];
export const isOpenJobStatus = (status: JobStatus) => !finalJobStatuses.includes(status);

/** The statuses a job can be escalated from, and so return to when the escalation is resolved with `resume`. */
export const escalatableJobStatusSchema = z.enum(['submitted', 'contracting', 'assigned', 'in_progress', 'delivered']);
export type EscalatableJobStatus = z.infer<typeof escalatableJobStatusSchema>;

export interface JobAssignment {
  assigneeSubjectId: string;
  contractId: string;
}

export interface JobDelivery {
  deliverable: JsonValue;
  note: string | null;
  deliveredBy: Principal;
  deliveredAt: string;
}

export interface JobVerification {
  verifiedBy: Principal;
  note: string | null;
  verifiedAt: string;
}

export interface JobEscalation {
  reason: string;
  /** The role the escalation goes to; its holders (by the org's policy) resolve it. */
  escalateTo: string;
  /** Where `resume` returns the job. */
  from: EscalatableJobStatus;
  escalatedBy: Principal;
  escalatedAt: string;
}

export interface Job {
  jobId: string;
  orgId: string;
  status: JobStatus;
  goal: string;
  objectives: string[];
  priority: JobPriority;
  completionMode: CompletionMode;
  /** ISO-8601 instant (UTC); null when the job has none. */
  deadline: string | null;
  requiredCapabilities: CapabilityRequirement[];
  requiredRoles: string[];
  outputTemplate: JsonObject | null;
  verifierSubjectIds: string[];
  budget: Budget | null;
  /** null: the org's configured strategy applies. */
  assignmentStrategy: AssignmentStrategy | null;
  directAssignee: string | null;
  submittedBy: Principal;
  submittedAt: string;
  /** Set by AssignJob; cleared when an escalation sends the job back to contracting. */
  assignment: JobAssignment | null;
  /** The latest delivery; cleared when the job goes back to contracting. */
  delivery: JobDelivery | null;
  verification: JobVerification | null;
  /** The open escalation while `escalated`; null otherwise. */
  escalation: JobEscalation | null;
  /** Why the job was rejected, failed or cancelled; null otherwise. */
  statusReason: string | null;
}

/** `null` until the job is submitted. */
export type JobState = Job | null;

export const initialJobState: JobState = null;

export function isEscalatableJobStatus(status: JobStatus): status is EscalatableJobStatus {
  return (escalatableJobStatusSchema.options as readonly JobStatus[]).includes(status);
}
