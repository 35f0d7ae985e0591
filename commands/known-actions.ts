import type { z } from 'zod';
import { policyActions } from '../domain/policy/actions.ts';
import { assignmentAggregate } from './handlers/assignment.ts';
import { contractAggregate } from './handlers/contract.ts';
import { apiKeyAggregate } from './handlers/credential.ts';
import { jobAggregate } from './handlers/job.ts';
import { orgAggregate } from './handlers/org.ts';
import { projectionParkingAggregate } from './handlers/projection-parking.ts';
import { rosterAggregate } from './handlers/roster.ts';
import { subjectAggregate } from './handlers/subject.ts';
import { taskAggregate } from './handlers/task.ts';
import { timerAggregate } from './handlers/timer.ts';
import { workflowAggregate } from './handlers/workflow.ts';
import { toolCallAggregate } from './handlers/tool-call.ts';
import { toolAggregate } from './handlers/tool.ts';

/**
 * Governed actions that are not commands: reads, and operations on the platform's machinery. A read is its own
 * action, never the write it informs: reading projection status is `platform.projections.read`, so a refusal names
 * what was asked, and a policy can let an operator watch the read side without letting it rebuild.
 */
export const readActions = [
  'org.read',
  'roster.read',
  'policy.read',
  'audit.read',
  'subject.read',
  'job.read',
  'job.accept',
  'workflow.read',
  'tool.read',
  'platform.projections.read',
  'platform.projections.rebuild',
  'platform.metrics.read',
] as const;

/** What policy tooling needs to know of an aggregate: its commands, and which governed action each one is. */
export interface GovernedAggregate {
  name: string;
  commandSchema: z.ZodType;
  /** A method, so that each aggregate's own command type is accepted; call it with a command its schema parsed. */
  actionOf(command: unknown): string;
  actions: readonly string[];
}

/**
 * The aggregates whose commands the pipeline governs (policy commands aside: their handler needs this list, so they
 * are named in domain/policy/actions.ts instead).
 */
export const governedAggregates: readonly GovernedAggregate[] = [
  orgAggregate,
  rosterAggregate,
  subjectAggregate,
  apiKeyAggregate,
  jobAggregate,
  assignmentAggregate,
  taskAggregate,
  contractAggregate,
  timerAggregate,
  projectionParkingAggregate,
  workflowAggregate,
  toolAggregate,
  toolCallAggregate,
];

/** Every governed action, for validating the action patterns of a policy set. */
export function knownActions(): readonly string[] {
  return [...governedAggregates.flatMap((aggregate) => aggregate.actions), ...Object.values(policyActions), ...readActions];
}
