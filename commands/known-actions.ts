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

/** Governed actions that are not commands: reads, and operations on the platform's machinery. */
export const readActions = ['org.read', 'roster.read', 'policy.read', 'audit.read', 'subject.read', 'job.read', 'job.accept', 'platform.projections.rebuild', 'platform.metrics.read'] as const;

/** Every governed action, for validating the action patterns of a policy set. */
export function knownActions(): readonly string[] {
  return [
    ...orgAggregate.actions,
    ...rosterAggregate.actions,
    ...subjectAggregate.actions,
    ...apiKeyAggregate.actions,
    ...jobAggregate.actions,
    ...assignmentAggregate.actions,
    ...taskAggregate.actions,
    ...contractAggregate.actions,
    ...timerAggregate.actions,
    ...projectionParkingAggregate.actions,
    ...Object.values(policyActions),
    ...readActions,
  ];
}
