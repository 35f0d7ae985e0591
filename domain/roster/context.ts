import type { DecisionContext } from '../shared/decider.ts';

/** What the roster needs to know about a subject to grant it a role (read from the subject's own stream). */
export interface SubjectSnapshot {
  subjectId: string;
  status: 'active' | 'suspended';
  /** A map, not a record: capability names are user input and must never hit Object.prototype. */
  capabilities: ReadonlyMap<string, { level: number; verified: boolean }>;
}

export interface RosterDecisionContext extends DecisionContext {
  /** The org's lifecycle status; null when the org does not exist. The roster changes only in an active org. */
  orgStatus: 'active' | 'suspended' | 'archived' | null;
  /** The subject a grant, application or approval is about; null when it does not exist, absent when not needed. */
  subject?: SubjectSnapshot | null;
}
