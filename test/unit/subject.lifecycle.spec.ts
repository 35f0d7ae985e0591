import { describe, expect, it } from 'vitest';
import type { SubjectCommand, SubjectCommandType } from '../../domain/subject/commands.ts';
import { subjectDecider } from '../../domain/subject/decider.ts';
import type { SubjectEvent } from '../../domain/subject/events.ts';
import type { SubjectStatus } from '../../domain/subject/state.ts';
import { subjectTransitions } from '../../domain/subject/transitions.ts';
import { isAppError } from '../../domain/shared/app-error.ts';
import {
  capabilityDeclared,
  registrar,
  subjectContext,
  subjectId,
  subjectReinstated,
  subjectRegistered,
  subjectSpec as spec,
  subjectStateAfter,
  subjectSuspended,
  verifierOrgId,
} from '../support/subject-fixtures.ts';

const registered = subjectRegistered();
const suspended = subjectSuspended('misbehaved');
const register = (extra: Partial<Extract<SubjectCommand, { type: 'RegisterSubject' }>['data']> = {}): SubjectCommand => ({
  type: 'RegisterSubject',
  data: { subjectId, kind: 'agent', displayName: 'Writer bot', description: '', capabilities: [], ...extra },
});

/** One well-formed command of every type but RegisterSubject, for table-driven checks. */
const commandsOnAnExistingSubject: Record<Exclude<SubjectCommandType, 'RegisterSubject'>, SubjectCommand> = {
  UpdateSubjectProfile: { type: 'UpdateSubjectProfile', data: { subjectId, description: 'new' } },
  DeclareCapability: { type: 'DeclareCapability', data: { subjectId, name: 'nlp.summarize', level: 4 } },
  WithdrawCapability: { type: 'WithdrawCapability', data: { subjectId, name: 'nlp.summarize' } },
  VerifyCapability: { type: 'VerifyCapability', data: { subjectId, name: 'nlp.summarize', level: 4, orgId: verifierOrgId } },
  SuspendSubject: { type: 'SuspendSubject', data: { subjectId, reason: 'x' } },
  ReinstateSubject: { type: 'ReinstateSubject', data: { subjectId, reason: 'x' } },
};

describe('subject registration', () => {
  it('registers a subject, recording who registered it', () => {
    spec.given([]).when(register()).thenEvents([registered]);
  });

  it('records the endpoint and the declared capabilities, none of them verified, evidence null when not given', () => {
    spec
      .given([])
      .when(
        register({
          kind: 'service',
          endpoint: 'nats:agents.lab.writer',
          capabilities: [
            { name: 'nlp.summarize', level: 7, evidence: 'benchmark run 42' },
            { name: 'lang.en', level: 10 },
          ],
        }),
      )
      .thenEvents([
        subjectRegistered({
          kind: 'service',
          endpoint: 'nats:agents.lab.writer',
          capabilities: [
            { name: 'nlp.summarize', level: 7, evidence: 'benchmark run 42' },
            { name: 'lang.en', level: 10, evidence: null },
          ],
        }),
      ]);
  });

  it('starts active, with the capabilities unverified', () => {
    const state = subjectStateAfter([subjectRegistered({ capabilities: [{ name: 'lang.en', level: 3, evidence: null }] })]);
    expect(state).toEqual({
      subjectId,
      kind: 'agent',
      displayName: 'Writer bot',
      description: '',
      endpoint: null,
      status: 'active',
      statusReason: null,
      capabilities: { 'lang.en': { level: 3, evidence: null, verified: null, verifiedIn: {} } },
      registeredBy: registrar,
    });
  });

  it('refuses to register the same subject twice, in any state', () => {
    spec.given([registered]).when(register()).thenError('SUBJECT_ALREADY_EXISTS', { subjectId });
    spec
      .given([registered, suspended])
      .when(register({ kind: 'human' }))
      .thenError('SUBJECT_ALREADY_EXISTS', { subjectId });
  });

  it('refuses every other command on a subject that does not exist', () => {
    for (const command of Object.values(commandsOnAnExistingSubject)) {
      spec.given([]).when(command).thenError('SUBJECT_NOT_FOUND', { subjectId });
    }
  });
});

describe('subject suspension', () => {
  it('suspends an active subject, keeping the reason', () => {
    spec
      .given([registered])
      .when({ type: 'SuspendSubject', data: { subjectId, reason: 'misbehaved' } })
      .thenEvents([suspended]);
    expect(subjectStateAfter([registered, suspended])).toMatchObject({ status: 'suspended', statusReason: 'misbehaved' });
  });

  it('reinstates a suspended subject, clearing the reason', () => {
    spec
      .given([registered, suspended])
      .when({ type: 'ReinstateSubject', data: { subjectId, reason: 'cleared' } })
      .thenEvents([subjectReinstated('cleared')]);
    expect(subjectStateAfter([registered, suspended, subjectReinstated()])).toMatchObject({ status: 'active', statusReason: null });
  });

  it('refuses to suspend a suspended subject or reinstate an active one', () => {
    spec
      .given([registered, suspended])
      .when({ type: 'SuspendSubject', data: { subjectId, reason: 'again' } })
      .thenError('ILLEGAL_TRANSITION', { subjectId, status: 'suspended', command: 'SuspendSubject' });
    spec
      .given([registered])
      .when({ type: 'ReinstateSubject', data: { subjectId, reason: 'x' } })
      .thenError('ILLEGAL_TRANSITION', { subjectId, status: 'active', command: 'ReinstateSubject' });
  });

  it('refuses to declare or verify capabilities while suspended', () => {
    const given = [registered, capabilityDeclared('nlp.summarize', 4), suspended];
    spec
      .given(given)
      .when(commandsOnAnExistingSubject.DeclareCapability)
      .thenError('ILLEGAL_TRANSITION', { status: 'suspended', command: 'DeclareCapability' });
    spec.given(given).when(commandsOnAnExistingSubject.VerifyCapability).thenError('ILLEGAL_TRANSITION', { status: 'suspended', command: 'VerifyCapability' });
  });

  it('still lets a suspended subject correct its profile and withdraw a claim', () => {
    const given = [registered, capabilityDeclared('nlp.summarize', 4), suspended];
    spec
      .given(given)
      .when(commandsOnAnExistingSubject.UpdateSubjectProfile)
      .thenEvents([{ type: 'SubjectProfileUpdated', data: { subjectId, changes: { description: 'new' } } }]);
    spec
      .given(given)
      .when(commandsOnAnExistingSubject.WithdrawCapability)
      .thenEvents([{ type: 'CapabilityWithdrawn', data: { subjectId, name: 'nlp.summarize' } }]);
  });

  it('follows the transition table exactly: a command is refused as illegal if and only if the table omits it', () => {
    const histories: Record<SubjectStatus, SubjectEvent[]> = {
      active: [registered, capabilityDeclared('nlp.summarize', 4)],
      suspended: [registered, capabilityDeclared('nlp.summarize', 4), suspended],
    };
    for (const status of ['active', 'suspended'] as const) {
      const state = subjectStateAfter(histories[status]);
      for (const [type, command] of Object.entries(commandsOnAnExistingSubject)) {
        const outcome = subjectDecider.decide(command, state, subjectContext);
        const illegal = isAppError(outcome) && outcome.code === 'ILLEGAL_TRANSITION';
        expect(illegal, `${type} while ${status}`).toBe(subjectTransitions[status][command.type] === undefined);
      }
    }
  });
});

describe('subject profile updates', () => {
  const withProfile = subjectRegistered({ description: 'drafts', endpoint: 'https://agents.example.com/writer' });

  it('records only the fields that change', () => {
    spec
      .given([withProfile])
      .when({ type: 'UpdateSubjectProfile', data: { subjectId, displayName: 'Writer bot', description: 'drafts and edits' } })
      .thenEvents([{ type: 'SubjectProfileUpdated', data: { subjectId, changes: { description: 'drafts and edits' } } }]);
  });

  it('changes the endpoint, or removes it with null', () => {
    spec
      .given([withProfile])
      .when({ type: 'UpdateSubjectProfile', data: { subjectId, endpoint: 'nats:agents.writer' } })
      .thenEvents([{ type: 'SubjectProfileUpdated', data: { subjectId, changes: { endpoint: 'nats:agents.writer' } } }]);
    spec
      .given([withProfile])
      .when({ type: 'UpdateSubjectProfile', data: { subjectId, endpoint: null } })
      .thenEvents([{ type: 'SubjectProfileUpdated', data: { subjectId, changes: { endpoint: null } } }]);
    const removed: SubjectEvent = { type: 'SubjectProfileUpdated', data: { subjectId, changes: { endpoint: null } } };
    expect(subjectStateAfter([withProfile, removed])).toMatchObject({ endpoint: null, description: 'drafts' });
  });

  it('decides nothing when the update changes nothing, so re-sending it is harmless', () => {
    spec
      .given([withProfile])
      .when({
        type: 'UpdateSubjectProfile',
        data: { subjectId, displayName: 'Writer bot', description: 'drafts', endpoint: 'https://agents.example.com/writer' },
      })
      .thenNothing();
    spec
      .given([registered])
      .when({ type: 'UpdateSubjectProfile', data: { subjectId, endpoint: null } })
      .thenNothing();
  });
});
