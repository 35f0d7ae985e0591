import type { Decider } from '../shared/decider.ts';
import type { SubjectCommand } from './commands.ts';
import { decideSubject, type SubjectDecisionContext } from './decide.ts';
import type { SubjectEvent } from './events.ts';
import { evolveSubject } from './evolve.ts';
import { initialSubjectState, type SubjectState } from './state.ts';

export const subjectDecider: Decider<SubjectCommand, SubjectState, SubjectEvent, SubjectDecisionContext> = {
  initialState: initialSubjectState,
  evolve: evolveSubject,
  decide: decideSubject,
};

export const subjectStream = (subjectId: string) => `subject-${subjectId}`;
