import { describe, expect, it } from 'vitest';
import type { SubjectCommand } from '../../domain/subject/commands.ts';
import { declaredCapability, subjectCapabilities, verifiedCapabilities } from '../../domain/subject/capabilities.ts';
import type { SubjectEvent } from '../../domain/subject/events.ts';
import { MAX_CAPABILITIES } from '../../domain/subject/fields.ts';
import {
  capabilityDeclared,
  capabilityVerified,
  now,
  subjectId,
  subjectRegistered,
  subjectSpec as spec,
  subjectStateAfter,
  verifier,
  verifierOrgId,
} from '../support/subject-fixtures.ts';

const registered = subjectRegistered();
const otherOrgId = '55555555-5555-4555-8555-555555555555';
const declare = (name: string, level: number, evidence?: string): SubjectCommand => ({
  type: 'DeclareCapability',
  data: { subjectId, name, level, ...(evidence === undefined ? {} : { evidence }) },
});
const withdraw = (name: string): SubjectCommand => ({ type: 'WithdrawCapability', data: { subjectId, name } });
const verify = (name: string, level: number, extra: { orgId?: string; note?: string } = {}): SubjectCommand => ({
  type: 'VerifyCapability',
  data: { subjectId, name, level, orgId: verifierOrgId, ...extra },
});
const asVerifier = { principal: verifier };

describe('declaring capabilities', () => {
  it('declares a new capability, unverified', () => {
    spec
      .given([registered])
      .when(declare('nlp.summarize', 6, 'rouge-l 0.41'))
      .thenEvents([capabilityDeclared('nlp.summarize', 6, 'rouge-l 0.41')]);
    expect(declaredCapability(subjectStateAfter([registered, capabilityDeclared('nlp.summarize', 6)]), 'nlp.summarize')).toEqual({
      level: 6,
      evidence: null,
      verified: null,
      verifiedIn: {},
    });
  });

  it('decides nothing when the same level and evidence are declared again, and keeps the verification', () => {
    const given = [registered, capabilityDeclared('nlp.summarize', 6, 'e'), capabilityVerified('nlp.summarize', 6)];
    spec
      .given(given)
      .when(declare('nlp.summarize', 6, 'e'))
      .thenNothing();
    expect(declaredCapability(subjectStateAfter(given), 'nlp.summarize')?.verified).toEqual({ by: verifier.id, orgId: verifierOrgId, at: now });
  });

  it('replaces a capability declared with another level or evidence, and resets its verification', () => {
    const given = [registered, capabilityDeclared('nlp.summarize', 6, 'e'), capabilityVerified('nlp.summarize', 6)];
    spec
      .given(given)
      .when(declare('nlp.summarize', 8, 'e'))
      .thenEvents([capabilityDeclared('nlp.summarize', 8, 'e')]);
    spec
      .given(given)
      .when(declare('nlp.summarize', 6, 'better evidence'))
      .thenEvents([capabilityDeclared('nlp.summarize', 6, 'better evidence')]);
    // A declaration is the whole claim: leaving the evidence out removes it.
    spec
      .given(given)
      .when(declare('nlp.summarize', 6))
      .thenEvents([capabilityDeclared('nlp.summarize', 6, null)]);
    const after = subjectStateAfter([...given, capabilityDeclared('nlp.summarize', 8, 'e')]);
    expect(declaredCapability(after, 'nlp.summarize')).toEqual({ level: 8, evidence: 'e', verified: null, verifiedIn: {} });
  });

  it(`refuses a capability beyond the ${MAX_CAPABILITIES}th, but still replaces a declared one at the limit`, () => {
    const full = [registered, ...Array.from({ length: MAX_CAPABILITIES }, (_, n) => capabilityDeclared(`skill.s${n}`, 1))];
    spec.given(full).when(declare('skill.extra', 1)).thenError('CAPABILITY_LIMIT_REACHED', { subjectId, limit: MAX_CAPABILITIES });
    spec
      .given(full)
      .when(declare('skill.s0', 2))
      .thenEvents([capabilityDeclared('skill.s0', 2)]);
    spec.given(full).when(declare('skill.s0', 1)).thenNothing();
  });

  it('treats names that exist on Object.prototype as ordinary, undeclared names', () => {
    spec
      .given([registered])
      .when(declare('constructor', 3))
      .thenEvents([capabilityDeclared('constructor', 3)]);
    spec.given([registered]).when(verify('constructor', 3), asVerifier).thenError('CAPABILITY_NOT_DECLARED');
    spec.given([registered]).when(withdraw('constructor')).thenNothing();
    expect(declaredCapability(subjectStateAfter([registered]), 'constructor')).toBeNull();
    const state = subjectStateAfter([registered, capabilityDeclared('constructor', 3), capabilityVerified('constructor', 3)]);
    expect(verifiedCapabilities(state, verifierOrgId)).toEqual({ constructor: 3 });
  });
});

describe('withdrawing capabilities', () => {
  it('withdraws a declared capability, verified or not', () => {
    const given = [registered, capabilityDeclared('nlp.summarize', 6), capabilityVerified('nlp.summarize', 6)];
    spec
      .given(given)
      .when(withdraw('nlp.summarize'))
      .thenEvents([{ type: 'CapabilityWithdrawn', data: { subjectId, name: 'nlp.summarize' } }]);
    const after = subjectStateAfter([...given, { type: 'CapabilityWithdrawn', data: { subjectId, name: 'nlp.summarize' } }]);
    expect(declaredCapability(after, 'nlp.summarize')).toBeNull();
    expect(subjectCapabilities(after)).toEqual({});
  });

  it('decides nothing when the capability is not declared: the claim is already absent', () => {
    spec.given([registered]).when(withdraw('nlp.summarize')).thenNothing();
  });
});

describe('verifying capabilities', () => {
  const given = [registered, capabilityDeclared('nlp.summarize', 6)];

  it('records who verified, for which org, at the decision time, with the note', () => {
    spec
      .given(given)
      .when(verify('nlp.summarize', 6, { note: 'reviewed three outputs' }), asVerifier)
      .thenEvents([capabilityVerified('nlp.summarize', 6, { note: 'reviewed three outputs' })]);
    const after = subjectStateAfter([...given, capabilityVerified('nlp.summarize', 6)]);
    expect(declaredCapability(after, 'nlp.summarize')).toEqual({
      level: 6,
      evidence: null,
      verified: { by: verifier.id, orgId: verifierOrgId, at: now },
      verifiedIn: { [verifierOrgId]: { by: verifier.id, orgId: verifierOrgId, at: now } },
    });
  });

  it('refuses to verify a capability that is not declared', () => {
    spec.given([registered]).when(verify('nlp.summarize', 6), asVerifier).thenError('CAPABILITY_NOT_DECLARED', { subjectId, name: 'nlp.summarize' });
    const withdrawn: SubjectEvent = { type: 'CapabilityWithdrawn', data: { subjectId, name: 'nlp.summarize' } };
    spec
      .given([...given, withdrawn])
      .when(verify('nlp.summarize', 6), asVerifier)
      .thenError('CAPABILITY_NOT_DECLARED');
  });

  it('refuses to verify a level other than the declared one', () => {
    spec
      .given(given)
      .when(verify('nlp.summarize', 7), asVerifier)
      .thenError('CAPABILITY_LEVEL_MISMATCH', { subjectId, name: 'nlp.summarize', declaredLevel: 6, level: 7 });
  });

  it('forbids a subject to verify its own capability, whatever its state', () => {
    const self = { principal: { id: subjectId, kind: 'subject' as const } };
    spec.given(given).when(verify('nlp.summarize', 6), self).thenError('SELF_VERIFICATION', { subjectId });
    spec
      .given([...given, { type: 'SubjectSuspended', data: { subjectId, reason: 'x' } }])
      .when(verify('nlp.summarize', 6), self)
      .thenError('SELF_VERIFICATION');
  });

  it('decides nothing when the same verifier verifies again for the same org', () => {
    spec
      .given([...given, capabilityVerified('nlp.summarize', 6)])
      .when(verify('nlp.summarize', 6, { note: 'again' }), asVerifier)
      .thenNothing();
  });

  it('records a new verification by another verifier or for another org; the latest is kept', () => {
    const verified = [...given, capabilityVerified('nlp.summarize', 6)];
    spec
      .given(verified)
      .when(verify('nlp.summarize', 6, { orgId: otherOrgId }), asVerifier)
      .thenEvents([capabilityVerified('nlp.summarize', 6, { orgId: otherOrgId })]);
    const admin = { id: 'admin:b', kind: 'admin' as const };
    spec
      .given(verified)
      .when(verify('nlp.summarize', 6), { principal: admin })
      .thenEvents([capabilityVerified('nlp.summarize', 6, { verifiedBy: admin })]);
    const later = '2026-11-28T09:00:00.000Z';
    const after = subjectStateAfter([...verified, capabilityVerified('nlp.summarize', 6, { orgId: otherOrgId, verifiedAt: later })]);
    expect(declaredCapability(after, 'nlp.summarize')?.verified).toEqual({ by: verifier.id, orgId: otherOrgId, at: later });
  });

  it('verifies a re-declared capability again at its new level', () => {
    const redeclared = [...given, capabilityVerified('nlp.summarize', 6), capabilityDeclared('nlp.summarize', 8)];
    spec.given(redeclared).when(verify('nlp.summarize', 6), asVerifier).thenError('CAPABILITY_LEVEL_MISMATCH', { declaredLevel: 8 });
    spec
      .given(redeclared)
      .when(verify('nlp.summarize', 8), asVerifier)
      .thenEvents([capabilityVerified('nlp.summarize', 8)]);
  });
});

describe('capability read helpers', () => {
  it('list declared capabilities (verified or not) and verified ones, by level', () => {
    const state = subjectStateAfter([
      subjectRegistered({ capabilities: [{ name: 'lang.en', level: 10, evidence: null }] }),
      capabilityDeclared('nlp.summarize', 6),
      capabilityDeclared('code.review', 3),
      capabilityVerified('nlp.summarize', 6),
    ]);
    expect(subjectCapabilities(state)).toEqual({ 'lang.en': 10, 'nlp.summarize': 6, 'code.review': 3 });
    expect(verifiedCapabilities(state, verifierOrgId)).toEqual({ 'nlp.summarize': 6 });
    // A verification counts only in the org that made it.
    expect(verifiedCapabilities(state, '99999999-9999-4999-8999-999999999999')).toEqual({});
  });

  it('return nothing for a subject that does not exist', () => {
    expect(subjectCapabilities(null)).toEqual({});
    expect(verifiedCapabilities(null, verifierOrgId)).toEqual({});
    expect(declaredCapability(null, 'lang.en')).toBeNull();
  });
});
