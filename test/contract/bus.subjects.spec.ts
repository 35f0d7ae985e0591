import { describe, expect, it } from 'vitest';
import { InvalidSubjectError } from '../../infra/bus/errors.ts';
import {
  assertPattern,
  assertPublishSubject,
  isValidPattern,
  isValidSubject,
  patternIsSubsetOf,
  patternsOverlap,
  subjectMatches,
  subjectToken,
} from '../../infra/bus/subjects.ts';

describe('bus subjects (shared by both adapters)', () => {
  it.each([
    ['a.*.c', 'a.b.c', true],
    ['a.*.c', 'a.c', false],
    ['a.*.c', 'a.b.b.c', false],
    ['a.>', 'a.b', true],
    ['a.>', 'a.b.c.d', true],
    ['a.>', 'a', false],
    ['>', 'a', true],
    ['>', 'a.b.c', true],
    ['*', 'a', true],
    ['*', 'a.b', false],
    ['*.*', 'a.b', true],
    ['a.b', 'a.b', true],
    ['a.b', 'a.bc', false],
    ['a.b', 'a', false],
    ['a.*.>', 'a.b', false],
    ['a.*.>', 'a.b.c', true],
    ['agencygrid.events.*.roster.>', 'agencygrid.events.org-1.roster.RoleGranted', true],
    ['agencygrid.events.*.roster.>', 'agencygrid.events.org-1.policy.PolicyPublished', false],
  ])('%s matches %s: %s', (pattern, subject, expected) => {
    expect(subjectMatches(pattern, subject)).toBe(expected);
  });

  it('validates subjects and patterns', () => {
    for (const subject of ['a', 'a.b', 'org-1.Role_Granted', 'ü.日本']) expect(isValidSubject(subject), subject).toBe(true);
    for (const subject of ['', '.', 'a.', '.a', 'a..b', 'a b', 'a\u0000b', 'a.*', '>', 'a*', 'b>c']) {
      expect(isValidSubject(subject), JSON.stringify(subject)).toBe(false);
    }
    for (const pattern of ['*', '>', 'a.*', 'a.>', '*.b.>']) expect(isValidPattern(pattern), pattern).toBe(true);
    for (const pattern of ['>.a', 'a.>.b', 'a*', '*a', 'a..>', 'x'.repeat(1025)]) expect(isValidPattern(pattern), pattern).toBe(false);
    expect(() => assertPattern('a.>.b')).toThrow(InvalidSubjectError);
    expect(() => assertPublishSubject('$JS.API.STREAM.DELETE.x')).toThrow(/reserved/);
    expect(() => assertPublishSubject('_INBOX.abc')).toThrow(/reserved/);
  });

  it('builds tokens from values that cannot change the shape of a subject', () => {
    expect(subjectToken('org-1')).toBe('org-1');
    for (const value of ['a.b', '*', '>', 'a b', '']) expect(() => subjectToken(value), value).toThrow(InvalidSubjectError);
  });

  it('tells overlapping patterns (two streams may not share a subject)', () => {
    expect(patternsOverlap('a.>', 'a.b.c')).toBe(true);
    expect(patternsOverlap('a.*', 'a.b')).toBe(true);
    expect(patternsOverlap('a.*', 'a.b.c')).toBe(false);
    expect(patternsOverlap('*.b', 'a.*')).toBe(true);
    expect(patternsOverlap('a.b', 'a.c')).toBe(false);
    expect(patternsOverlap('>', 'x')).toBe(true);
    expect(patternsOverlap('a.>', 'a')).toBe(false);
  });

  it('tells whether a filter lies within a stream subject', () => {
    expect(patternIsSubsetOf('a.b', 'a.>')).toBe(true);
    expect(patternIsSubsetOf('a.*.c', 'a.>')).toBe(true);
    expect(patternIsSubsetOf('a.>', 'a.>')).toBe(true);
    expect(patternIsSubsetOf('a.>', 'a.*')).toBe(false);
    expect(patternIsSubsetOf('a.*', 'a.b')).toBe(false);
    expect(patternIsSubsetOf('a.b', 'a.*')).toBe(true);
    expect(patternIsSubsetOf('a', 'a.>')).toBe(false);
  });
});
