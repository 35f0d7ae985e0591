import type { Decider } from '../shared/decider.ts';
import type { JobCommand } from './commands.ts';
import { decideJob, type JobDecisionContext } from './decide.ts';
import type { JobEvent } from './events.ts';
import { evolveJob } from './evolve.ts';
import { initialJobState, type JobState } from './state.ts';

export const jobDecider: Decider<JobCommand, JobState, JobEvent, JobDecisionContext> = {
  initialState: initialJobState,
  evolve: evolveJob,
  decide: decideJob,
};

export const jobStream = (jobId: string) => `job-${jobId}`;
