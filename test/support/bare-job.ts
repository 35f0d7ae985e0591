import type { JobEvent } from '../../domain/job/events.ts';

type JobSubmittedData = Extract<JobEvent, { type: 'JobSubmitted' }>['data'];

/** What a JobSubmitted records for a job that asks for nothing but its goal: one completion, no deadline, requirement, verifier or budget. */
export function bareJobSubmission(
  fields: Pick<JobSubmittedData, 'jobId' | 'orgId' | 'goal' | 'submittedBy' | 'submittedAt'> & Partial<JobSubmittedData>,
): JobSubmittedData {
  return {
    objectives: [],
    priority: 'normal',
    completionMode: 'single',
    deadline: null,
    requiredCapabilities: [],
    requiredRoles: [],
    outputTemplate: null,
    verifierSubjectIds: [],
    budget: null,
    assignmentStrategy: null,
    directAssignee: null,
    ...fields,
  };
}
