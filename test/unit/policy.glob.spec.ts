import { describe, it, expect } from 'vitest';
import { matchesAction, matchesAnyAction } from '../../domain/policy/glob.ts';

describe('action glob matching', () => {
  it.each([
    // exact
    ['roster.grant', 'roster.grant', true],
    ['roster.grant', 'roster.revoke', false],
    ['roster.grant', 'roster.grant.extra', false],
    ['roster.role.define', 'roster.role', false],
    // trailing * = one or more remaining segments
    ['roster.*', 'roster.grant', true],
    ['roster.*', 'roster.role.define', true],
    ['roster.*', 'roster', false],
    ['roster.*', 'rosterx.grant', false],
    ['roster.role.*', 'roster.role.define', true],
    ['roster.role.*', 'roster.grant', false],
    ['*', 'org.read', true],
    ['*', 'roster.role.define', true],
    ['*', 'single', true],
    // * elsewhere = exactly one segment
    ['*.read', 'org.read', true],
    ['*.read', 'roster.role.read', false],
    ['*.read', 'org.write', false],
    ['roster.*.define', 'roster.role.define', true],
    ['roster.*.define', 'roster.role.x.define', false],
    ['roster.*.define', 'roster.define', false],
    ['*.*', 'org.read', true],
    ['*.*', 'roster.role.define', true],
    ['*.*', 'org', false],
    // * only as a whole segment; no regex semantics
    ['ros*', 'roster.grant', false],
    ['roster.gr*', 'roster.grant', false],
    ['roster..grant', 'roster..grant', false],
    ['roster.grant', 'roster.grant.', false],
    ['a.b', 'aXb', false],
    ['', '', false],
    ['*', '', false],
  ])('%s vs %s -> %s', (pattern, action, expected) => {
    expect(matchesAction(pattern, action)).toBe(expected);
  });

  it('matches when any pattern of a list matches', () => {
    expect(matchesAnyAction(['org.read', 'roster.*'], 'roster.grant')).toBe(true);
    expect(matchesAnyAction(['org.read', 'roster.*'], 'subject.register')).toBe(false);
    expect(matchesAnyAction([], 'org.read')).toBe(false);
  });

  it('stays linear on long adversarial inputs', () => {
    const pattern = Array.from({ length: 200 }, () => '*').join('.');
    const action = Array.from({ length: 5_000 }, () => 'a').join('.');
    const started = performance.now();
    expect(matchesAction(pattern, action)).toBe(true);
    expect(matchesAction(`${pattern}.b`, action)).toBe(false);
    expect(performance.now() - started).toBeLessThan(100);
  });
});
