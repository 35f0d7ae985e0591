import type { Decider, DecisionContext } from '../shared/decider.ts';
import type { AssignmentCommand } from './commands.ts';
import { decideAssignment } from './decide.ts';
import type { AssignmentEvent } from './events.ts';
import { evolveAssignment } from './evolve.ts';
import { initialAssignmentState, type AssignmentState } from './state.ts';

export const assignmentDecider: Decider<AssignmentCommand, AssignmentState, AssignmentEvent, DecisionContext> = {
  initialState: initialAssignmentState,
  evolve: evolveAssignment,
  decide: decideAssignment,
};

export const assignmentStream = (jobId: string) => `assignment-${jobId}`;
