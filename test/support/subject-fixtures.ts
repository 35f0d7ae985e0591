import { subjectDecider } from '../../domain/subject/decider.ts';
import type { SubjectDecisionContext } from '../../domain/subject/decide.ts';
import type { SubjectEvent } from '../../domain/subject/events.ts';
import type { Principal } from '../../domain/shared/principal.ts';
import { deciderSpec } from './decider-spec.ts';

export const subjectId = '33333333-3333-4333-8333-333333333333';
export const verifierOrgId = '11111111-1111-4111-8111-111111111111';
export const registrar: Principal = { id: 'admin:a', kind: 'admin' };
/** Another subject acting as a verifier; the policy (not this aggregate) decides whether it may. */
export const verifier: Principal = { id: '44444444-4444-4444-8444-444444444444', kind: 'subject' };
export const now = '2026-11-27T10:00:00.000Z';
export const subjectContext: SubjectDecisionContext = { now, principal: registrar, commandId: 'cmd-00000001' };
export const subjectSpec = deciderSpec(subjectDecider, subjectContext);

type EventData<Type extends SubjectEvent['type']> = Extract<SubjectEvent, { type: Type }>['data'];

export function subjectRegistered(overrides: Partial<EventData<'SubjectRegistered'>> = {}): SubjectEvent {
  return {
    type: 'SubjectRegistered',
    data: {
      subjectId,
      kind: 'agent',
      displayName: 'Writer bot',
      description: '',
      endpoint: null,
      capabilities: [],
      registeredBy: registrar,
      ...overrides,
    },
  };
}

export function capabilityDeclared(name: string, level: number, evidence: string | null = null): SubjectEvent {
  return { type: 'CapabilityDeclared', data: { subjectId, name, level, evidence } };
}

export function capabilityVerified(name: string, level: number, overrides: Partial<EventData<'CapabilityVerified'>> = {}): SubjectEvent {
  return {
    type: 'CapabilityVerified',
    data: { subjectId, name, level, verifiedBy: verifier, orgId: verifierOrgId, note: null, verifiedAt: now, ...overrides },
  };
}

export const subjectSuspended = (reason = 'misbehaved'): SubjectEvent => ({ type: 'SubjectSuspended', data: { subjectId, reason } });
export const subjectReinstated = (reason = 'cleared'): SubjectEvent => ({ type: 'SubjectReinstated', data: { subjectId, reason } });

/** The state after `events`, for the pure read helpers. */
export const subjectStateAfter = (events: readonly SubjectEvent[]) => events.reduce(subjectDecider.evolve, subjectDecider.initialState);
