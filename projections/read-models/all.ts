import type { Projection } from '../projection.ts';
import { assignmentsProjection } from './assignments.ts';
import { bidsProjection } from './bids.ts';
import { cacheInvalidationProjection } from './cache-invalidation.ts';
import { contractsProjection } from './contracts.ts';
import { decisionsProjection } from './decisions.ts';
import { escalationsProjection } from './escalations.ts';
import { jobsProjection } from './jobs.ts';
import { orgsProjection } from './orgs.ts';
import { policiesProjection } from './policies.ts';
import { rosterProjection } from './roster.ts';
import { subjectsProjection } from './subjects.ts';
import { tasksProjection } from './tasks.ts';
import { toolsProjection } from './tools.ts';
import { workloadsProjection } from './workloads.ts';
import { workflowsProjection } from './workflows.ts';

/** Every read model the platform maintains. */
export const readModelProjections: readonly Projection[] = [
  orgsProjection,
  subjectsProjection,
  rosterProjection,
  policiesProjection,
  workflowsProjection,
  decisionsProjection,
  jobsProjection,
  workloadsProjection,
  contractsProjection,
  tasksProjection,
  assignmentsProjection,
  bidsProjection,
  escalationsProjection,
  toolsProjection,
  cacheInvalidationProjection,
];
