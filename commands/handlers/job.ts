import { jobCommandSchema, type JobCommand } from '../../domain/job/commands.ts';
import type { JobDecisionContext } from '../../domain/job/decide.ts';
import { jobDecider, jobStream } from '../../domain/job/decider.ts';
import type { JobEvent } from '../../domain/job/events.ts';
import { maxOpenJobsOf } from '../../domain/job/quota.ts';
import type { JobState } from '../../domain/job/state.ts';
import { orgDecider, orgStream } from '../../domain/org/decider.ts';
import { defineAggregate, type AggregateDefinition } from '../aggregate.ts';

const actions: Record<JobCommand['type'], string> = {
  SubmitJob: 'job.submit',
  StartContracting: 'job.contracting.start',
  AssignJob: 'job.assign',
  StartWork: 'job.start',
  DeliverJob: 'job.deliver',
  VerifyJob: 'job.verify',
  RejectDelivery: 'job.reject',
  FailJob: 'job.fail',
  CancelJob: 'job.cancel',
  EscalateJob: 'job.escalate',
  RaiseEscalation: 'job.escalation.raise',
  ResolveEscalation: 'job.escalation.resolve',
};

/**
 * How many of an org's jobs are open now (submitted and not yet verified, rejected, failed or cancelled); null when
 * they cannot be counted now (the read model counting them is behind the log): the submission is then refused
 * `unavailable QUOTA_UNKNOWN`, never waved through.
 */
export type OpenJobsOf = (orgId: string) => Promise<number | null>;

export interface JobAggregateOptions {
  /**
   * Counts an org's open jobs for the quota check of SubmitJob. Job streams are one per job, so the count cannot be
   * read cheaply from the write side: the platform wires in the jobs read model (`openJobsFromReadModel` in
   * projections/read-models/jobs.ts, `platform.jobs`). The default counts none, so without it the quota limits
   * nothing (the decider specs and pipeline tests that do not run projections).
   */
  openJobsOf?: OpenJobsOf;
}

export type JobAggregate = AggregateDefinition<JobCommand, JobState, JobEvent, JobDecisionContext> & { readonly openJobsOf: OpenJobsOf };

/**
 * Jobs, one stream per job (`job-<jobId>`), each in one org, governed by that org's policy. SubmitJob is decided
 * with the org's status and its open-jobs quota (the org's metadata `quota.maxOpenJobs`, see domain/job/quota.ts).
 *
 * The quota is checked from context, read before the decision; an org's submissions are serialized within the process
 * (`serializeOn`), so one instance holds it exactly. Two instances racing can both see room for one more job: holding
 * it exactly there needs the count in a stream the submission appends to (a quota aggregate).
 */
export function createJobAggregate(options: JobAggregateOptions = {}): JobAggregate {
  const openJobsOf = options.openJobsOf ?? (async () => 0);
  const definition = defineAggregate({
    name: 'job',
    commandSchema: jobCommandSchema,
    decider: jobDecider,
    streamOf: (command) => jobStream(command.data.jobId),
    actionPerType: actions,
    // Submissions to one org are decided one at a time here, each on a count that includes the one before it (the
    // count waits for the read model to reach the head of the log): exact within this process.
    serializeOn: (command) => (command.type === 'SubmitJob' ? `job-quota:${command.data.orgId}` : null),
    async loadContext(command, reader, base) {
      if (command.type !== 'SubmitJob') return base;
      const { orgId } = command.data;
      const org = (await reader.load(orgDecider, orgStream(orgId))).state;
      if (org === null) return { ...base, orgStatus: null };
      const openJobs = await openJobsOf(orgId);
      // Uncounted, the decider refuses the submission (QUOTA_UNKNOWN).
      return { ...base, orgStatus: org.status, ...(openJobs === null ? {} : { openJobs }), maxOpenJobs: maxOpenJobsOf(org.metadata) };
    },
  });
  return { ...definition, openJobsOf };
}

export const jobAggregate: JobAggregate = createJobAggregate();
