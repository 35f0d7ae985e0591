import type { Projection } from '../projection.ts';
import { cacheInvalidationProjection } from './cache-invalidation.ts';
import { decisionsProjection } from './decisions.ts';
import { jobsProjection } from './jobs.ts';
import { orgsProjection } from './orgs.ts';
import { policiesProjection } from './policies.ts';
import { rosterProjection } from './roster.ts';
import { subjectsProjection } from './subjects.ts';
import { workloadsProjection } from './workloads.ts';

/** Every read model the platform maintains. */
export const readModelProjections: readonly Projection[] = [
  orgsProjection,
  subjectsProjection,
  rosterProjection,
  policiesProjection,
  decisionsProjection,
  jobsProjection,
  workloadsProjection,
  cacheInvalidationProjection,
];
