import { describe, expect, it } from 'vitest';
import type { RecordedDecision } from '../../domain/audit/recorded.ts';
import { applyStructureChanges, checkStructure, structureFlip, type StructureReplay } from '../../domain/audit/structure.ts';
import type { DecisionResult } from '../../domain/policy/decision-events.ts';
import { roleDefinitionSchema } from '../../domain/roster/fields.ts';
import { conflictKey, initialRosterState, type RosterState } from '../../domain/roster/state.ts';
import { ALICE, LogBuilder, ORG, admin } from './audit.support.ts';

const basis = { streamId: `roster-${ORG}`, revision: '3' };
const full: DecisionResult = { status: 'refused-by-structure', kind: 'conflict', code: 'ROLE_MAX_HOLDERS', message: 'full', basis };
const applied: DecisionResult = { status: 'applied', basis };

function decisionWith(result: DecisionResult): RecordedDecision {
  const log = new LogBuilder();
  log.registerOrg();
  const decision = log.decide(admin, 'roster.role.grant', { subjectId: ALICE });
  return { ...decision, data: { ...decision.data, result } };
}

const replayed = (result: Extract<StructureReplay, { replayed: true }>['result']): Extract<StructureReplay, { replayed: true }> => ({
  replayed: true,
  result,
  aggregate: 'roster',
});

describe('structure changes for a what-if', () => {
  const roster: RosterState = {
    ...initialRosterState,
    roles: new Map([
      ['chair', roleDefinitionSchema.parse({ name: 'chair', maxHolders: 1 })],
      ['scribe', roleDefinitionSchema.parse({ name: 'scribe' })],
    ]),
    conflicts: new Map([[conflictKey('chair', 'scribe'), { roles: ['chair', 'scribe'] as const, reason: 'no' }]]),
  };

  it("changes a role's maxHolders and withdraws a conflict, leaving the given state as it was", () => {
    const changed = applyStructureChanges(roster, { roles: { chair: { maxHolders: 3 }, ghost: { maxHolders: 2 } }, withdrawConflicts: [['scribe', 'chair']] });
    expect(changed.roles.get('chair')?.maxHolders).toBe(3);
    expect(changed.roles.has('ghost')).toBe(false);
    expect(changed.conflicts.size).toBe(0);
    expect(roster.roles.get('chair')?.maxHolders).toBe(1);
    expect(roster.conflicts.size).toBe(1);
    expect(applyStructureChanges(roster, { roles: { chair: { maxHolders: null } } }).roles.get('chair')?.maxHolders).toBeNull();
    expect(applyStructureChanges(roster, {})).toBe(roster);
  });
});

describe('a structural refusal decided again', () => {
  it('agrees when refused again with the same code, whatever the wording', () => {
    expect(checkStructure(decisionWith(full), replayed({ status: 'refused', kind: 'conflict', code: 'ROLE_MAX_HOLDERS', message: 'other words' }))).toEqual({
      status: 'agreed',
    });
  });

  it('differs when applied, or refused with another code, and says so', () => {
    expect(checkStructure(decisionWith(full), replayed({ status: 'applied', events: 1 }))).toMatchObject({
      status: 'differed',
      difference: { field: 'result', recorded: 'refused-by-structure ROLE_MAX_HOLDERS', replayed: 'applied' },
    });
    expect(checkStructure(decisionWith(full), replayed({ status: 'refused', kind: 'conflict', code: 'ROLE_CONFLICT', message: 'x' }))).toMatchObject({
      status: 'differed',
      difference: { recorded: 'refused-by-structure ROLE_MAX_HOLDERS', replayed: 'refused-by-structure ROLE_CONFLICT' },
    });
  });

  it('is reported as not replayed, with why, when it cannot be decided again', () => {
    expect(checkStructure(decisionWith(full), { replayed: false, code: 'COMMAND_UNKNOWN', reason: 'no aggregate' })).toEqual({
      status: 'not-replayed',
      code: 'COMMAND_UNKNOWN',
      reason: 'no aggregate',
    });
  });

  it('flips in a what-if: now applied, now refused, refused otherwise, or not at all', () => {
    expect(structureFlip(decisionWith(full), replayed({ status: 'applied', events: 1 }))).toBe('now-applied');
    expect(structureFlip(decisionWith(applied), replayed({ status: 'refused', kind: 'conflict', code: 'ROLE_MAX_HOLDERS', message: 'x' }))).toBe('now-refused');
    expect(structureFlip(decisionWith(full), replayed({ status: 'refused', kind: 'conflict', code: 'ROLE_CONFLICT', message: 'x' }))).toBe('other-refusal');
    expect(structureFlip(decisionWith(applied), replayed({ status: 'applied', events: 0 }))).toBeNull();
  });
});
