import { describe, expect, it } from 'vitest';
import { jobCommandSchema } from '../../domain/job/commands.ts';
import { DELIVERABLE_LIMITS, OUTPUT_TEMPLATE_LIMITS } from '../../domain/job/fields.ts';
import { jsonProblem } from '../../domain/shared/bounded-json.ts';
import { DEFAULT_MAX_OPEN_JOBS, maxOpenJobsOf } from '../../domain/job/quota.ts';
import { assigneeId, jobId, orgId, verifierId } from '../support/job-fixtures.ts';

const submit = (data: Record<string, unknown>) =>
  jobCommandSchema.safeParse({ type: 'SubmitJob', data: { jobId, orgId, goal: 'Summarise', completionMode: 'single', ...data } });
const deliver = (deliverable: unknown) => jobCommandSchema.safeParse({ type: 'DeliverJob', data: { jobId, orgId, deliverable } });
/** Paths as the pipeline reports them: within the command's `data`. */
const pathsOf = (result: ReturnType<typeof submit>) =>
  result.success ? [] : result.error.issues.map((issue) => (issue.path[0] === 'data' ? issue.path.slice(1) : issue.path).map(String).join('.'));

describe('SubmitJob', () => {
  it('defaults priority and the lists, and keeps ids in lower case', () => {
    const parsed = submit({ jobId: jobId.toUpperCase() });
    expect(parsed.success && parsed.data.data).toEqual({
      jobId,
      orgId,
      goal: 'Summarise',
      completionMode: 'single',
      objectives: [],
      priority: 'normal',
      requiredCapabilities: [],
      requiredRoles: [],
      verifierSubjectIds: [],
    });
  });

  it('keeps a deadline as one UTC instant, whatever zone it was written in', () => {
    const parsed = submit({ deadline: '2027-01-01T12:00:00+02:00' });
    expect(parsed.success && parsed.data.type === 'SubmitJob' && parsed.data.data.deadline).toBe('2027-01-01T10:00:00.000Z');
  });

  it.each<[string, Record<string, unknown>, string]>([
    ['a blank goal', { goal: '   ' }, 'goal'],
    ['an unknown priority', { priority: 'urgent' }, 'priority'],
    ['an unknown completion mode', { completionMode: 'whenever' }, 'completionMode'],
    ['a deadline without a zone', { deadline: '2027-01-01T12:00:00' }, 'deadline'],
    ['a deadline that is not a date', { deadline: 'tomorrow' }, 'deadline'],
    ['a blank objective', { objectives: ['ok', ' '] }, 'objectives.1'],
    ['too many objectives', { objectives: Array.from({ length: 21 }, (_, n) => `objective ${n}`) }, 'objectives'],
    ['a capability level above 10', { requiredCapabilities: [{ name: 'nlp', level: 11 }] }, 'requiredCapabilities.0.level'],
    ['a capability name in capitals', { requiredCapabilities: [{ name: 'NLP', level: 1 }] }, 'requiredCapabilities.0.name'],
    [
      'two requirements for one capability',
      {
        requiredCapabilities: [
          { name: 'nlp', level: 1 },
          { name: 'nlp', level: 2 },
        ],
      },
      'requiredCapabilities',
    ],
    ['an unknown field in a requirement', { requiredCapabilities: [{ name: 'nlp', level: 1, verified: true }] }, 'requiredCapabilities.0'],
    ['a role name that is not one', { requiredRoles: ['Writer!'] }, 'requiredRoles.0'],
    ['a role twice', { requiredRoles: ['writer', 'writer'] }, 'requiredRoles'],
    ['a verifier that is not a UUID', { verifierSubjectIds: ['alice'] }, 'verifierSubjectIds.0'],
    ['a verifier twice', { verifierSubjectIds: [verifierId, verifierId] }, 'verifierSubjectIds'],
    ['verification without a verifier', { completionMode: 'verified' }, 'verifierSubjectIds'],
    ['a negative budget', { budget: { amount: -1, currency: 'EUR' } }, 'budget.amount'],
    ['a budget in an unknown spelling of currency', { budget: { amount: 1, currency: 'eur' } }, 'budget.currency'],
    ['a budget without a currency', { budget: { amount: 1 } }, 'budget.currency'],
    ['an unknown assignment strategy', { assignmentStrategy: 'lottery' }, 'assignmentStrategy'],
    ["'direct' without a direct assignee", { assignmentStrategy: 'direct' }, 'directAssignee'],
    ['a direct assignee without the direct strategy', { assignmentStrategy: 'auction', directAssignee: assigneeId }, 'directAssignee'],
    ['a direct assignee who also verifies', { assignmentStrategy: 'direct', directAssignee: verifierId, verifierSubjectIds: [verifierId] }, 'directAssignee'],
    ['an output template that is an array', { outputTemplate: ['summary'] }, 'outputTemplate'],
    ['an output template that is a string', { outputTemplate: 'summary' }, 'outputTemplate'],
    ['an oversized output template', { outputTemplate: { text: 'x'.repeat(OUTPUT_TEMPLATE_LIMITS.maxChars) } }, 'outputTemplate'],
    ['the submitter named in the body', { submittedBy: 'me' }, ''],
    ['a job id that is not a UUID', { jobId: "1' or 1=1" }, 'jobId'],
    ['no org', { orgId: undefined }, 'orgId'],
  ])('refuses %s', (_name, data, path) => {
    const result = submit(data);
    expect(result.success).toBe(false);
    expect(pathsOf(result)).toContain(path);
  });

  it('accepts a zero budget, a direct assignment and a nested output template', () => {
    expect(submit({ budget: { amount: 0, currency: 'USD' } }).success).toBe(true);
    expect(submit({ assignmentStrategy: 'direct', directAssignee: assigneeId }).success).toBe(true);
    expect(submit({ outputTemplate: JSON.parse('{"sections": [{"title": "string"}], "__proto__": {"x": 1}}') }).success).toBe(true);
    // An object literal's __proto__ sets its prototype: not a plain object, so not JSON.
    expect(pathsOf(submit({ outputTemplate: { __proto__: { x: 1 } } }))).toEqual(['outputTemplate']);
  });
});

describe('the other job commands', () => {
  it('all name the job and its org', () => {
    for (const type of ['StartContracting', 'StartWork', 'VerifyJob']) {
      expect(jobCommandSchema.safeParse({ type, data: { jobId, orgId } }).success).toBe(true);
      expect(jobCommandSchema.safeParse({ type, data: { jobId } }).success).toBe(false);
    }
  });

  it('need a reason to reject, fail, cancel or escalate, and a role to escalate to', () => {
    for (const type of ['RejectDelivery', 'FailJob', 'CancelJob']) {
      expect(jobCommandSchema.safeParse({ type, data: { jobId, orgId, reason: 'why' } }).success).toBe(true);
      expect(jobCommandSchema.safeParse({ type, data: { jobId, orgId, reason: ' ' } }).success).toBe(false);
    }
    expect(jobCommandSchema.safeParse({ type: 'EscalateJob', data: { jobId, orgId, reason: 'why' } }).success).toBe(false);
    expect(jobCommandSchema.safeParse({ type: 'EscalateJob', data: { jobId, orgId, reason: 'why', escalateTo: 'The Board' } }).success).toBe(false);
    expect(jobCommandSchema.safeParse({ type: 'EscalateJob', data: { jobId, orgId, reason: 'why', escalateTo: 'board' } }).success).toBe(true);
  });

  it('resolve an escalation in one of three ways', () => {
    for (const resolution of ['resume', 'cancel', 'reassign']) {
      expect(jobCommandSchema.safeParse({ type: 'ResolveEscalation', data: { jobId, orgId, resolution } }).success).toBe(true);
    }
    expect(jobCommandSchema.safeParse({ type: 'ResolveEscalation', data: { jobId, orgId, resolution: 'extend' } }).success).toBe(false);
  });

  it('deliver any bounded JSON value but null', () => {
    for (const value of ['text', 42, true, [1, 2], { a: { b: [null] } }]) expect(deliver(value).success, JSON.stringify(value)).toBe(true);
    for (const value of [null, undefined, Number.NaN, new Date(), { at: new Map() }, 'x'.repeat(DELIVERABLE_LIMITS.maxChars)]) {
      expect(deliver(value).success).toBe(false);
    }
  });
});

describe('bounded JSON', () => {
  const limits = { maxChars: 50, maxDepth: 3, maxEntries: 4 };

  it('measures a value exactly as JSON.stringify writes it', () => {
    const value = { a: [1, 'two', null, true], 'b"c': { d: -0.5 } };
    expect(JSON.stringify(value).length).toBe(43);
    expect(jsonProblem(value, { ...limits, maxChars: 43 })).toBeNull();
    expect(jsonProblem(value, { ...limits, maxChars: 42 })).toBe('larger than 42 characters as JSON');
  });

  it('names the first problem and where it is', () => {
    expect(jsonProblem({ a: { b: { c: { d: 1 } } } }, limits)).toBe('nested deeper than 3 levels at a.b.c');
    expect(jsonProblem({ a: [1, 2, 3, 4, 5] }, limits)).toBe('an array of more than 4 elements at a');
    expect(jsonProblem({ a: [1, Number.POSITIVE_INFINITY] }, limits)).toBe('not a finite number at a[1]');
    expect(jsonProblem({ a: undefined }, limits)).toBe('not a JSON value at a');
    // Built, not written as a literal: a hole in a literal reads as a typo.
    const withHole: number[] = new Array(3);
    withHole[0] = 1;
    withHole[2] = 3;
    expect(jsonProblem(withHole, limits)).toBe('a hole in an array at [1]');
    expect(jsonProblem({ when: new Date(0) }, limits)).toBe('not a plain object at when');
    expect(jsonProblem(1n, limits)).toBe('not a JSON value');
  });

  it('keeps __proto__ an ordinary key', () => {
    const parsed: unknown = JSON.parse('{"__proto__": {"polluted": true}}');
    expect(jsonProblem(parsed, limits)).toBeNull();
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('the open-jobs quota of an org', () => {
  it('comes from the metadata key quota.maxOpenJobs, a non-negative integer', () => {
    expect(maxOpenJobsOf({ 'quota.maxOpenJobs': '25' })).toBe(25);
    expect(maxOpenJobsOf({ 'quota.maxOpenJobs': '0' })).toBe(0);
  });

  it(`is ${DEFAULT_MAX_OPEN_JOBS} when the key is absent or malformed`, () => {
    expect(maxOpenJobsOf({})).toBe(DEFAULT_MAX_OPEN_JOBS);
    for (const value of ['', '-1', '2.5', '1e3', ' 5', 'ten', '9999999999']) {
      expect(maxOpenJobsOf({ 'quota.maxOpenJobs': value }), value).toBe(DEFAULT_MAX_OPEN_JOBS);
    }
  });
});
