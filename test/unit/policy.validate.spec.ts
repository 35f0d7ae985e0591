import { describe, it, expect } from 'vitest';
import { validatePolicySet, type PolicyValidationError } from '../../domain/policy/validate.ts';
import { MAX_CONDITION_LENGTH, MAX_RULES } from '../../domain/policy/types.ts';

const knownActions = ['org.read', 'org.update', 'roster.grant', 'roster.revoke', 'roster.role.define', 'policy.publish'];

function rule(id: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { id, effect: 'permit', actions: ['org.read'], reason: 'because', ...extra };
}

function errorsOf(rules: unknown): PolicyValidationError[] {
  const result = validatePolicySet(rules, knownActions);
  if (result.ok) throw new Error('expected the policy set to be invalid');
  return result.errors;
}

describe('validatePolicySet', () => {
  it('accepts a valid set and returns the parsed rules', () => {
    const rules = [
      rule('owners', { actions: ['*'], when: 'principal.id == org.ownerId' }),
      rule('editors', { actions: ['roster.*'], roles: ['editor'], unless: '"frozen" in org.tags', escalateTo: 'owner' }),
      rule('no-self-grant', { effect: 'forbid', actions: ['roster.grant'], when: 'has(command.data.subjectId) && command.data.subjectId == principal.id' }),
      rule('deadline', { actions: ['*.read'], when: 'now < timestamp("2030-01-01T00:00:00Z")' }),
      rule('dyn-is-fine', { when: 'resource.attributes.enabled' }),
    ];
    const result = validatePolicySet(rules, knownActions);
    expect(result).toEqual({ ok: true, rules });
  });

  it('accepts an empty set', () => {
    expect(validatePolicySet([], knownActions)).toEqual({ ok: true, rules: [] });
  });

  it('reports bad CEL syntax with the line and column inside the expression', () => {
    const errors = errorsOf([rule('r1', { when: 'principal.id == "a" &&& true' })]);
    expect(errors).toEqual([{ path: [0, 'when'], message: 'Unexpected character: &', offset: 22, line: 1, column: 23 }]);
  });

  it('reports a syntax error on a later line', () => {
    const errors = errorsOf([rule('r1', { unless: 'principal.id == "a" &&\n  (1 +' })]);
    expect(errors).toEqual([{ path: [0, 'unless'], message: 'Unexpected token: EOF', offset: 29, line: 2, column: 7 }]);
  });

  it('reports an unknown variable (a typo) where it is', () => {
    const errors = errorsOf([rule('r1', { when: '"editor" in principl.roles' })]);
    expect(errors).toEqual([{ path: [0, 'when'], message: 'Unknown variable: principl', offset: 12, line: 1, column: 13 }]);
  });

  it('reports an unknown field of a typed variable', () => {
    const errors = errorsOf([rule('r1', { when: '"editor" in principal.rolez' })]);
    expect(errors[0]).toMatchObject({ path: [0, 'when'], message: 'No such key: rolez', line: 1, column: 23 });
  });

  it('reports a type error', () => {
    const errors = errorsOf([rule('r1', { when: 'principal.id + 1 == 2' })]);
    expect(errors[0]).toMatchObject({ path: [0, 'when'], message: expect.stringMatching(/no matching overload|no such overload/i) as unknown, line: 1 });
  });

  it('reports a condition whose result is not a bool', () => {
    const errors = errorsOf([rule('r1', { when: 'principal.id' }), rule('r2', { unless: 'size(principal.roles) + 1' })]);
    expect(errors).toEqual([
      { path: [0, 'when'], message: 'a condition must evaluate to a bool, but this one is of type string', offset: 0, line: 1, column: 1 },
      { path: [1, 'unless'], message: 'a condition must evaluate to a bool, but this one is of type int', offset: 0, line: 1, column: 1 },
    ]);
  });

  it('reports duplicate rule ids', () => {
    const errors = errorsOf([rule('same'), rule('other'), rule('same')]);
    expect(errors).toEqual([{ path: [2, 'id'], message: "duplicate rule id 'same' (also the id of rule 0)" }]);
  });

  it('reports an action pattern that matches no known action', () => {
    const errors = errorsOf([rule('r1', { actions: ['org.read', 'rostr.*', '*.read', 'org.read.extra'] })]);
    expect(errors).toEqual([
      { path: [0, 'actions', 1], message: "action pattern 'rostr.*' matches no known action" },
      { path: [0, 'actions', 3], message: "action pattern 'org.read.extra' matches no known action" },
    ]);
  });

  it('reports a malformed action pattern through the schema', () => {
    const errors = errorsOf([rule('r1', { actions: ['Org.Read'] })]);
    expect(errors[0]?.path).toEqual([0, 'actions', 0]);
  });

  it('reports a too-long expression', () => {
    const long = `principal.id == "${'a'.repeat(MAX_CONDITION_LENGTH)}"`;
    const errors = errorsOf([rule('r1', { when: long })]);
    expect(errors).toHaveLength(1);
    expect(errors[0]?.path).toEqual([0, 'when']);
    expect(errors[0]?.message).toContain(String(MAX_CONDITION_LENGTH));
  });

  it('reports an expression over the structural limits', () => {
    const wide = Array.from({ length: 300 }, () => 'true').join('||');
    expect(wide.length).toBeLessThan(MAX_CONDITION_LENGTH);
    const deep = `${'('.repeat(40)}true${')'.repeat(40)}`;
    const errors = errorsOf([rule('r1', { when: wide }), rule('r2', { when: deep })]);
    expect(errors.map((error) => [error.path, error.message])).toEqual([
      [[0, 'when'], 'Exceeded maxAstNodes (500)'],
      [[1, 'when'], 'Exceeded maxDepth (32)'],
    ]);
  });

  it('refuses matches() (regular expressions can backtrack exponentially) and deeply nested comprehensions', () => {
    const errors = errorsOf([
      rule('r1', { when: 'principal.id.matches("^(a+)+$")' }),
      rule('r2', { when: 'command.data.items.all(i, command.data.items.exists(j, i == j))' }),
    ]);
    expect(errors).toEqual([
      { path: [0, 'when'], message: expect.stringContaining('matches() is not available') as unknown, offset: 13, line: 1, column: 14 },
      { path: [1, 'when'], message: expect.stringContaining('may nest at most 1 deep') as unknown, offset: 45, line: 1, column: 46 },
    ]);
  });

  it('reports an empty roles list', () => {
    expect(errorsOf([rule('r1', { roles: [] })])).toEqual([
      { path: [0, 'roles'], message: 'an empty roles list matches no principal; omit roles to apply the rule to every principal' },
    ]);
  });

  it('reports shape errors with their path, and every problem of every rule at once', () => {
    const errors = errorsOf([
      rule('ok'),
      { id: 'bad effect', effect: 'allow', actions: [], reason: '' },
      rule('extra', { priority: 1 }),
      rule('ok', { when: 'nope' }),
    ]);
    const paths = errors.map((error) => JSON.stringify(error.path));
    expect(paths).toContain(JSON.stringify([1, 'id']));
    expect(paths).toContain(JSON.stringify([1, 'effect']));
    expect(paths).toContain(JSON.stringify([1, 'actions']));
    expect(paths).toContain(JSON.stringify([1, 'reason']));
    expect(paths).toContain(JSON.stringify([2]));
    expect(paths).toContain(JSON.stringify([3, 'id']));
    expect(paths).toContain(JSON.stringify([3, 'when']));
  });

  it('rejects something that is not a list, and too many rules', () => {
    expect(errorsOf({ rules: [] })[0]?.path).toEqual([]);
    const tooMany = Array.from({ length: MAX_RULES + 1 }, (_, index) => rule(`r${index}`));
    expect(errorsOf(tooMany)[0]?.path).toEqual([]);
  });

  it('with no known actions, every pattern is an error', () => {
    const result = validatePolicySet([rule('r1', { actions: ['*'] })], []);
    expect(result).toEqual({ ok: false, errors: [{ path: [0, 'actions', 0], message: "action pattern '*' matches no known action" }] });
  });
});
