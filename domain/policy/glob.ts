/**
 * Action glob matching for policy rules.
 *
 * Patterns and actions are dot-separated segments (`roster.role.define`). In a pattern, `*` as a segment matches
 * exactly one segment, except a TRAILING `*`, which matches one or more remaining segments:
 * - `roster.*` matches `roster.grant` and `roster.role.define`, not `roster`;
 * - `*` matches every action;
 * - `*.read` matches `org.read`, not `roster.role.read`;
 * - `roster.*.define` matches `roster.role.define`, not `roster.role.x.define`.
 * `*` is only a wildcard as a whole segment (`ros*` is a literal segment, which the pattern schema rejects anyway).
 * Matching compares segments character by character: no regular expression is ever built from a pattern, and
 * nothing is allocated (it runs for every rule of every decision). An empty pattern, an empty action or an empty
 * segment (`a..b`, `a.`) never matches.
 */
export function matchesAction(pattern: string, action: string): boolean {
  if (!wellFormed(pattern) || !wellFormed(action)) return false;
  let p = 0;
  let a = 0;
  for (;;) {
    const patternEnd = segmentEnd(pattern, p);
    const actionEnd = segmentEnd(action, a);
    const lastPattern = patternEnd === pattern.length;
    const star = patternEnd - p === 1 && pattern.charCodeAt(p) === STAR;
    // A trailing `*` takes this segment and any that follow (all non-empty: the action is well formed).
    if (star && lastPattern) return true;
    if (!star && !sameSegment(pattern, p, patternEnd, action, a, actionEnd)) return false;
    const lastAction = actionEnd === action.length;
    if (lastPattern || lastAction) return lastPattern && lastAction;
    p = patternEnd + 1;
    a = actionEnd + 1;
  }
}

/** Whether any of `patterns` matches `action`. */
export function matchesAnyAction(patterns: readonly string[], action: string): boolean {
  for (const pattern of patterns) if (matchesAction(pattern, action)) return true;
  return false;
}

const DOT = 46;
const STAR = 42;

/** Non-empty, and no empty segment: does not start or end with a dot, no two dots in a row. */
function wellFormed(text: string): boolean {
  if (text.length === 0 || text.charCodeAt(0) === DOT || text.charCodeAt(text.length - 1) === DOT) return false;
  return !text.includes('..');
}

function segmentEnd(text: string, from: number): number {
  const dot = text.indexOf('.', from);
  return dot === -1 ? text.length : dot;
}

function sameSegment(left: string, leftStart: number, leftEnd: number, right: string, rightStart: number, rightEnd: number): boolean {
  const length = leftEnd - leftStart;
  if (length !== rightEnd - rightStart) return false;
  for (let offset = 0; offset < length; offset += 1) {
    if (left.charCodeAt(leftStart + offset) !== right.charCodeAt(rightStart + offset)) return false;
  }
  return true;
}
