import type { SubjectCommandType } from './commands.ts';
import type { SubjectStatus } from './state.ts';

/**
 * The subject lifecycle. Anything not listed is an illegal transition.
 * - The profile (name, description, endpoint) can be corrected in either state.
 * - Capabilities can be declared and verified only while active: a suspended subject gains no (verified) claims.
 * - Withdrawing a capability only narrows what the subject claims, so it is allowed while suspended too (e.g. to
 *   retract the claim that led to the suspension before reinstating).
 */
export const subjectTransitions: Readonly<Record<SubjectStatus, Partial<Record<SubjectCommandType, SubjectStatus>>>> = {
  active: {
    UpdateSubjectProfile: 'active',
    DeclareCapability: 'active',
    WithdrawCapability: 'active',
    VerifyCapability: 'active',
    SuspendSubject: 'suspended',
  },
  suspended: {
    UpdateSubjectProfile: 'suspended',
    WithdrawCapability: 'suspended',
    ReinstateSubject: 'active',
  },
};
