import { policyActions } from '../domain/policy/actions.ts';
import { apiKeyAggregate } from './handlers/credential.ts';
import { jobAggregate } from './handlers/job.ts';
import { orgAggregate } from './handlers/org.ts';
import { rosterAggregate } from './handlers/roster.ts';
import { subjectAggregate } from './handlers/subject.ts';

/** Governed actions that are not commands: reads, and operations on the platform's machinery. */
export const readActions = ['org.read', 'roster.read', 'policy.read', 'audit.read', 'subject.read', 'platform.projections.rebuild'] as const;

/** Every governed action, for validating the action patterns of a policy set. */
export function knownActions(): readonly string[] {
  return [
    ...orgAggregate.actions,
    ...rosterAggregate.actions,
    ...subjectAggregate.actions,
    ...apiKeyAggregate.actions,
    ...jobAggregate.actions,
    ...Object.values(policyActions),
    ...readActions,
  ];
}
