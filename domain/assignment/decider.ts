import type { Decider } from '../shared/decider.ts';
import type { AssignmentCommand } from './commands.ts';
import { decideAssignment, type AssignmentDecisionContext } from './decide.ts';
import type { AssignmentEvent } from './events.ts';
import { evolveAssignment } from './evolve.ts';
import { initialAssignmentState, type AssignmentState } from './state.ts';

export const assignmentDecider: Decider<AssignmentCommand, AssignmentState, AssignmentEvent, AssignmentDecisionContext> = {
  initialState: initialAssignmentState,
  evolve: evolveAssignment,
  decide: decideAssignment,
};

export const assignmentStream = (jobId: string) => `assignment-${jobId}`;
