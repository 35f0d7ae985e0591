import { describe, expect, it } from 'vitest';
import { createEventRegistry } from '../../domain/events/catalog.ts';
import { InvalidEventDataError } from '../../domain/events/registry.ts';

/** A DecisionRecorded as v1 wrote it: no `result`. */
function v1(outcome: 'permitted' | 'forbidden' | 'not-permitted') {
  return {
    decisionId: 'd-1',
    orgId: null,
    action: 'org.update',
    outcome,
    determiningRuleIds: [],
    reasons: [],
    escalateTo: null,
    evaluations: [],
    errors: [],
    policy: { source: 'none', version: null, hash: 'h' },
    platformPolicyHash: 'p',
    rosterRevision: null,
    request: {},
  };
}

describe('DecisionRecorded schema evolution', () => {
  const registry = createEventRegistry();

  it('decodes a v1 denial as refused by policy, and a v1 permit as unrecorded (v1 cannot tell applied from refused)', () => {
    expect(registry.decode('DecisionRecorded', v1('forbidden'), { schemaVersion: 1 })).toMatchObject({
      type: 'DecisionRecorded',
      data: { result: { status: 'refused-by-policy' } },
    });
    expect(registry.decode('DecisionRecorded', v1('not-permitted'), {})).toMatchObject({
      type: 'DecisionRecorded',
      data: { result: { status: 'refused-by-policy' } },
    });
    expect(registry.decode('DecisionRecorded', v1('permitted'), { schemaVersion: 1 })).toMatchObject({
      type: 'DecisionRecorded',
      data: { result: { status: 'unrecorded' } },
    });
  });

  it('writes v2, which must say what became of the command', () => {
    expect(() => registry.encode('DecisionRecorded', v1('permitted'))).toThrow(InvalidEventDataError);
    const refused = {
      ...v1('permitted'),
      result: { status: 'refused-by-structure', kind: 'conflict', code: 'ROLE_MAX_HOLDERS', message: 'full', basis: { streamId: 'roster-x', revision: '4' } },
    };
    const encoded = registry.encode('DecisionRecorded', refused);
    expect(encoded.schemaVersion).toBe(2);
    expect(registry.decode('DecisionRecorded', encoded.data, { schemaVersion: 2 })).toEqual({ type: 'DecisionRecorded', data: refused });
    // A structural refusal names the state it was decided on.
    const { basis: _basis, ...withoutBasis } = refused.result;
    expect(() => registry.encode('DecisionRecorded', { ...refused, result: withoutBasis })).toThrow(InvalidEventDataError);
  });
});
