import { describe, expect, it } from 'vitest';
import { compileScore, DEFAULT_SCORE_EXPRESSION, MAX_SCORE_EXPRESSION_LENGTH, type ScoreCandidate, type ScoreJob } from '../../domain/assignment/score.ts';
import { subject } from './assignment.support.ts';

const candidate: ScoreCandidate = {
  subjectId: subject(1),
  roles: ['writer'],
  capabilities: { 'text.summarize': 3, translation: 2 },
  capabilityLevel: 5,
  openAssignments: 2,
};
const job: ScoreJob = { priority: 'high', requiredCapabilities: ['text.summarize'], requiredRoles: ['writer'] };

function evaluate(expression: string, who: ScoreCandidate = candidate, what: ScoreJob = job) {
  const compiled = compileScore(expression);
  if (!compiled.ok) throw new Error(`did not compile: ${compiled.message}`);
  return compiled.score(who, what);
}
function refusal(expression: string): string {
  const compiled = compileScore(expression);
  if (compiled.ok) throw new Error(`${expression} compiled`);
  return compiled.message;
}

describe('compileScore', () => {
  it('scores with the default expression: capability level * 10 - open assignments', () => {
    expect(DEFAULT_SCORE_EXPRESSION).toBe('candidate.capabilityLevel * 10 - candidate.openAssignments');
    expect(evaluate(DEFAULT_SCORE_EXPRESSION)).toEqual({ ok: true, score: 48 });
    expect(evaluate(DEFAULT_SCORE_EXPRESSION, { ...candidate, capabilityLevel: 0, openAssignments: 3 })).toEqual({ ok: true, score: -3 });
  });

  it('scores with a custom expression over job.priority, roles and capabilities', () => {
    const expression = "(job.priority == 'high' ? 100 : 0) + candidate.capabilities['translation'] * 2 + size(candidate.roles)";
    expect(evaluate(expression)).toEqual({ ok: true, score: 105 });
    expect(evaluate(expression, candidate, { ...job, priority: 'low' })).toEqual({ ok: true, score: 5 });
    expect(evaluate('2.5')).toEqual({ ok: true, score: 2.5 });
  });

  it('refuses an expression that is not a number at compile time', () => {
    expect(refusal("'the best'")).toMatch(/type string; it must be a number/);
    expect(refusal('candidate.openAssignments > 1')).toMatch(/type bool; it must be a number/);
  });

  it('refuses an expression that does not parse or names an unknown variable', () => {
    expect(refusal('candidate.capabilityLevel *')).toBeTruthy();
    expect(refusal('agent.capabilityLevel')).toBeTruthy();
  });

  it('refuses an expression longer than the limit without parsing it', () => {
    const long = `1${' + 1'.repeat(MAX_SCORE_EXPRESSION_LENGTH)}`;
    expect(refusal(long)).toBe(`the score expression is longer than ${MAX_SCORE_EXPRESSION_LENGTH} characters`);
    expect(compileScore(`1${' '.repeat(MAX_SCORE_EXPRESSION_LENGTH - 1)}`).ok).toBe(true);
  });

  it('reports a division by zero at run time instead of throwing', () => {
    const result = evaluate('candidate.capabilityLevel / (candidate.openAssignments - 2)');
    expect(result.ok).toBe(false);
    expect(!result.ok && result.message).toMatch(/division by zero/);
    expect(evaluate('candidate.capabilityLevel / candidate.openAssignments')).toEqual({ ok: true, score: 2 });
  });

  it('reports a value that is not a finite number at run time', () => {
    expect(evaluate('candidate.subjectId')).toEqual({ ok: false, message: 'the score expression returned string, not a finite number' });
    expect(evaluate('1.0 / 0.0')).toEqual({ ok: false, message: 'the score expression returned number, not a finite number' });
  });

  it('reports a missing capability key at run time instead of throwing', () => {
    expect(evaluate("candidate.capabilities['cooking']").ok).toBe(false);
  });

  it('compiles an expression once and returns the same result', () => {
    expect(compileScore(DEFAULT_SCORE_EXPRESSION)).toBe(compileScore(DEFAULT_SCORE_EXPRESSION));
  });
});
