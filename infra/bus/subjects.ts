import { InvalidSubjectError } from './errors.ts';

/**
 * Subjects and subscription patterns, with NATS semantics, written once for both adapters.
 *
 * - A subject is tokens separated by `.`: `agencygrid.events.org-1.roster.RoleGranted`. No empty token (no leading,
 *   trailing or doubled dot), no whitespace or control characters, at most MAX_SUBJECT_LENGTH characters.
 * - A pattern may use wildcards, each a whole token: `*` matches exactly one token, `>` one or more tokens and only as
 *   the last token. `a.*.c` matches `a.b.c`, not `a.c` or `a.b.b.c`; `a.>` matches `a.b` and `a.b.c`, not `a`; `>`
 *   matches every subject.
 * - `*` and `>` are never part of a longer token (`a*`, `b>c`), and a published subject has no wildcard at all. NATS
 *   would treat `a*` as a literal; we refuse it so that a subject never looks like a pattern it is not.
 * - Subjects whose first token starts with `$` (`$JS.API...`, `$SYS...`) belong to the server, and `_INBOX.` subjects
 *   to request/reply: the bus refuses to publish on them (`>` patterns still match them, as in NATS).
 */

export const MAX_SUBJECT_LENGTH = 1024;

const FORBIDDEN_CHARACTER = /[\s\x00-\x1f\x7f]/u;

function check(subject: string, allowWildcards: boolean): string[] {
  if (typeof subject !== 'string' || subject.length === 0) throw new InvalidSubjectError(String(subject), 'empty');
  if (subject.length > MAX_SUBJECT_LENGTH) {
    throw new InvalidSubjectError(`${subject.slice(0, 40)}...`, `longer than ${MAX_SUBJECT_LENGTH} characters`);
  }
  if (FORBIDDEN_CHARACTER.test(subject)) throw new InvalidSubjectError(subject, 'contains whitespace or a control character');
  const tokens = subject.split('.');
  tokens.forEach((token, index) => {
    if (token.length === 0) throw new InvalidSubjectError(subject, 'empty token (leading, trailing or doubled dot)');
    if (token === '*' || token === '>') {
      if (!allowWildcards) throw new InvalidSubjectError(subject, `wildcard '${token}' is only allowed in subscriptions`);
      if (token === '>' && index !== tokens.length - 1) throw new InvalidSubjectError(subject, "'>' must be the last token");
    } else if (token.includes('*') || token.includes('>')) {
      throw new InvalidSubjectError(subject, `'*' and '>' must be whole tokens (in '${token}')`);
    }
  });
  return tokens;
}

/** Throws InvalidSubjectError unless `subject` is a concrete subject (no wildcards). */
export function assertSubject(subject: string): void {
  check(subject, false);
}

/** A subject the bus may publish on: a concrete subject outside the server's `$...` and the `_INBOX.` namespaces. */
export function assertPublishSubject(subject: string): void {
  const tokens = check(subject, false);
  const first = tokens[0] ?? '';
  if (first.startsWith('$')) throw new InvalidSubjectError(subject, "subjects starting with '$' are reserved for the server");
  if (first === '_INBOX') throw new InvalidSubjectError(subject, "'_INBOX.' subjects are reserved for replies");
}

/** Throws InvalidSubjectError unless `pattern` is a valid subscription pattern (wildcards allowed). */
export function assertPattern(pattern: string): void {
  check(pattern, true);
}

export function isValidSubject(subject: string): boolean {
  return attempt(() => assertSubject(subject));
}

export function isValidPattern(pattern: string): boolean {
  return attempt(() => assertPattern(pattern));
}

function attempt(fn: () => void): boolean {
  try {
    fn();
    return true;
  } catch (error) {
    if (error instanceof InvalidSubjectError) return false;
    throw error;
  }
}

/**
 * One token built from a value (an org id, an event type): must not contain `.`, wildcards or whitespace, so that a
 * value can never change the shape of the subject it is put in (`agencygrid.events.${subjectToken(orgId)}...`).
 */
export function subjectToken(value: string): string {
  if (value.includes('.')) throw new InvalidSubjectError(value, "a token must not contain '.'");
  assertSubject(value);
  return value;
}

/** Does the concrete `subject` match `pattern`? Both are assumed valid (callers validate at the API boundary). */
export function subjectMatches(pattern: string, subject: string): boolean {
  if (pattern === subject) return true;
  const p = pattern.split('.');
  const s = subject.split('.');
  for (let index = 0; index < p.length; index += 1) {
    const token = p[index];
    if (token === '>') return s.length > index;
    if (index >= s.length) return false;
    if (token !== '*' && token !== s[index]) return false;
  }
  return p.length === s.length;
}

/** Is there a subject both patterns match? (Two streams may not capture overlapping subjects.) */
export function patternsOverlap(a: string, b: string): boolean {
  const x = a.split('.');
  const y = b.split('.');
  for (let index = 0; ; index += 1) {
    const left = x[index];
    const right = y[index];
    if (left === undefined || right === undefined) return left === right;
    if (left === '>' || right === '>') return true;
    if (left !== '*' && right !== '*' && left !== right) return false;
  }
}

/** Does every subject that `narrow` matches also match `wide`? (A consumer's filter must lie within its stream.) */
export function patternIsSubsetOf(narrow: string, wide: string): boolean {
  const n = narrow.split('.');
  const w = wide.split('.');
  for (let index = 0; ; index += 1) {
    const inner = n[index];
    const outer = w[index];
    if (inner === undefined || outer === undefined) return inner === outer;
    if (outer === '>') return true;
    if (inner === '>') return false;
    if (outer === '*') continue;
    if (inner === '*' || inner !== outer) return false;
  }
}
