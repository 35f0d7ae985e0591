import { appError, type AppError } from '../shared/app-error.ts';
import type { DecisionContext } from '../shared/decider.ts';
import { declaredCapability } from './capabilities.ts';
import type { SubjectCommand } from './commands.ts';
import type { SubjectEvent } from './events.ts';
import { MAX_CAPABILITIES } from './fields.ts';
import type { Subject, SubjectState } from './state.ts';
import { subjectTransitions } from './transitions.ts';
import { illegalTransition } from '../shared/illegal-transition.ts';

/** A subject's decisions need nothing beyond its own stream: whether a verifier may verify is the policy's call. */
export type SubjectDecisionContext = DecisionContext;

export function decideSubject(command: SubjectCommand, state: SubjectState, context: SubjectDecisionContext): readonly SubjectEvent[] | AppError {
  if (command.type === 'RegisterSubject') {
    const { data } = command;
    if (state !== null) {
      return appError('conflict', 'SUBJECT_ALREADY_EXISTS', `subject ${data.subjectId} already exists`, { subjectId: data.subjectId });
    }
    return [
      {
        type: 'SubjectRegistered',
        data: {
          subjectId: data.subjectId,
          kind: data.kind,
          displayName: data.displayName,
          description: data.description,
          endpoint: data.endpoint ?? null,
          capabilities: data.capabilities.map(({ name, level, evidence }) => ({ name, level, evidence: evidence ?? null })),
          registeredBy: context.principal,
        },
      },
    ];
  }

  const { subjectId } = command.data;
  if (state === null) {
    return appError('not_found', 'SUBJECT_NOT_FOUND', `subject ${subjectId} does not exist`, { subjectId });
  }
  // Refused whatever the state: no subject vouches for itself, even when a policy would let it verify others.
  if (command.type === 'VerifyCapability' && context.principal.id === subjectId) {
    return appError('forbidden', 'SELF_VERIFICATION', 'a subject cannot verify its own capabilities', {
      subjectId,
      name: command.data.name,
    });
  }
  if (subjectTransitions[state.status][command.type] === undefined) {
    return illegalTransition('a subject', { subjectId }, state.status, command.type);
  }

  switch (command.type) {
    case 'UpdateSubjectProfile': {
      const changes = changedFields(state, command.data);
      return Object.keys(changes).length === 0 ? [] : [{ type: 'SubjectProfileUpdated', data: { subjectId, changes } }];
    }
    case 'DeclareCapability': {
      const { name, level } = command.data;
      const evidence = command.data.evidence ?? null;
      const existing = declaredCapability(state, name);
      if (existing !== null && existing.level === level && existing.evidence === evidence) return [];
      if (existing === null && Object.keys(state.capabilities).length >= MAX_CAPABILITIES) {
        return appError('conflict', 'CAPABILITY_LIMIT_REACHED', `subject ${subjectId} already declares ${MAX_CAPABILITIES} capabilities`, {
          subjectId,
          name,
          limit: MAX_CAPABILITIES,
        });
      }
      return [{ type: 'CapabilityDeclared', data: { subjectId, name, level, evidence } }];
    }
    case 'WithdrawCapability': {
      const { name } = command.data;
      return declaredCapability(state, name) === null ? [] : [{ type: 'CapabilityWithdrawn', data: { subjectId, name } }];
    }
    case 'VerifyCapability': {
      const { name, level, orgId } = command.data;
      const declared = declaredCapability(state, name);
      if (declared === null) {
        return appError('unprocessable', 'CAPABILITY_NOT_DECLARED', `subject ${subjectId} does not declare the capability ${name}`, {
          subjectId,
          name,
        });
      }
      if (declared.level !== level) {
        return appError('conflict', 'CAPABILITY_LEVEL_MISMATCH', `${name} is declared at level ${declared.level}, not ${level}`, {
          subjectId,
          name,
          declaredLevel: declared.level,
          level,
        });
      }
      // The same verifier vouching again in the name of the same org adds nothing; another verifier or org does.
      const earlier = Object.hasOwn(declared.verifiedIn, orgId) ? declared.verifiedIn[orgId] : undefined;
      if (earlier !== undefined && earlier.by === context.principal.id) return [];
      return [
        {
          type: 'CapabilityVerified',
          data: {
            subjectId,
            name,
            level,
            verifiedBy: context.principal,
            orgId,
            note: command.data.note ?? null,
            verifiedAt: context.now,
          },
        },
      ];
    }
    case 'SuspendSubject':
      return [{ type: 'SubjectSuspended', data: { subjectId, reason: command.data.reason } }];
    case 'ReinstateSubject':
      return [{ type: 'SubjectReinstated', data: { subjectId, reason: command.data.reason } }];
  }
}

type ProfileChanges = Partial<Pick<Subject, 'displayName' | 'description' | 'endpoint'>>;

/** Only what differs is recorded, so re-sending the same profile is a no-op. */
function changedFields(subject: Subject, update: ProfileChanges): ProfileChanges {
  const changes: ProfileChanges = {};
  if (update.displayName !== undefined && update.displayName !== subject.displayName) changes.displayName = update.displayName;
  if (update.description !== undefined && update.description !== subject.description) changes.description = update.description;
  if (update.endpoint !== undefined && update.endpoint !== subject.endpoint) changes.endpoint = update.endpoint;
  return changes;
}
