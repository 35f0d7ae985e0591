import { subjectCommandSchema, type SubjectCommand } from '../../domain/subject/commands.ts';
import { subjectDecider, subjectStream } from '../../domain/subject/decider.ts';
import { defineAggregate } from '../aggregate.ts';

const actions: Record<SubjectCommand['type'], string> = {
  RegisterSubject: 'subject.register',
  UpdateSubjectProfile: 'subject.update',
  DeclareCapability: 'subject.capability.declare',
  WithdrawCapability: 'subject.capability.withdraw',
  VerifyCapability: 'subject.capability.verify',
  SuspendSubject: 'subject.suspend',
  ReinstateSubject: 'subject.reinstate',
};

/**
 * Subjects live outside any org, so their commands are governed by the platform policy; verifying a capability is
 * done in the name of an org, whose policy decides who may verify.
 */
export const subjectAggregate = defineAggregate({
  name: 'subject',
  commandSchema: subjectCommandSchema,
  decider: subjectDecider,
  streamOf: (command) => subjectStream(command.data.subjectId),
  orgIdOf: (command) => (command.type === 'VerifyCapability' ? command.data.orgId : null),
  actionPerType: actions,
});
