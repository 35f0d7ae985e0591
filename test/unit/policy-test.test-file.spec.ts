import { describe, expect, it } from 'vitest';
import { required } from '../../domain/shared/required.ts';
import { formatProblem } from '../../bin/policy/problems.ts';
import { exampleText, policyFrom, rule, testProblems, testsFrom } from '../support/policy-test-fixtures.ts';

/** A test file is checked whole before any case runs; each problem names the file, the case, the field and its line. */
const policy = policyFrom([rule('editors-edit', 'permit', ['org.update'], { roles: ['editor'] })]);
const desk = policyFrom(exampleText('examples/support-desk.yaml'), 'examples/support-desk.yaml');

const where = (problems: ReturnType<typeof testProblems>) => problems.map((problem) => [problem.case, problem.path, problem.line]);

describe('policy test files', () => {
  it('names the file, the case, the field and the line of a problem', () => {
    const problems = testProblems(
      policy,
      `cases:
  - name: fine
    request: { principal: { id: eve, roles: [editor] }, action: org.update }
    expect: permitted
  - name: misspelled
    request:
      principal:
        id: eve
        rolez: [editor]
      action: org.update
    expect: permitted
`,
      'desk.policy-test.yaml',
    );
    expect(problems).toEqual([
      { code: 'TEST_INVALID', file: 'desk.policy-test.yaml', case: 'misspelled', path: 'request.principal.rolez', line: 9, message: "unknown field 'rolez'" },
    ]);
    expect(formatProblem(required(problems[0], 'the problem listed just above'))).toBe(
      'desk.policy-test.yaml:9: case "misspelled": request.principal.rolez: unknown field \'rolez\'',
    );
  });

  it('reports every problem of every case, not just the first', () => {
    const problems = testProblems(policy, {
      cases: [
        { name: 'no action', request: { principal: { id: 'eve' } }, expect: 'permitted' },
        { name: 'bad outcome', request: { principal: { id: 'eve' }, action: 'org.update' }, expect: 'allowed' },
        { request: { principal: { id: 'eve' }, action: 'org.update' }, expect: { outcome: 'permitted', rule: ['x'] } },
      ],
    });
    expect(problems.map((problem) => [problem.case, problem.path])).toEqual([
      ['no action', 'request.action'],
      ['bad outcome', 'expect.outcome'],
      ['#3', 'name'],
      ['#3', 'expect.rule'],
    ]);
    expect(problems[0]?.message).toMatch(/^required/);
  });

  it('refuses two cases with the same name', () => {
    const request = { principal: { id: 'eve' }, action: 'org.update' };
    const problems = testProblems(policy, {
      cases: [
        { name: 'twice', request, expect: 'not-permitted' },
        { name: 'twice', request, expect: 'not-permitted' },
      ],
    });
    expect(where(problems)).toEqual([['twice', 'name', expect.any(Number)]]);
  });

  it('refuses an action the platform does not govern, naming the actions of its family', () => {
    const [problem] = testProblems(policy, {
      cases: [{ name: 'typo', request: { principal: { id: 'eve' }, action: 'roster.role.grnt' }, expect: 'not-permitted' }],
    });
    expect(problem).toMatchObject({ case: 'typo', path: 'request.action' });
    expect(problem?.message).toContain("unknown action 'roster.role.grnt'");
    expect(problem?.message).toContain('roster.role.grant');
  });

  it('refuses roles, groups or capabilities for an admin or system principal, which the platform sets itself', () => {
    const problems = testProblems(policy, {
      cases: [
        { name: 'admin', request: { principal: { id: 'ops', kind: 'admin', roles: ['editor'] }, action: 'org.update' }, expect: 'permitted' },
        { name: 'system', request: { principal: { id: 'sys', kind: 'system', capabilities: { 'lang.de': 3 } }, action: 'org.update' }, expect: 'permitted' },
      ],
    });
    expect(where(problems).map(([name, path]) => [name, path])).toEqual([
      ['admin', 'request.principal.roles'],
      ['system', 'request.principal.capabilities'],
    ]);
    expect(problems[0]?.message).toContain('platform-admin');
  });

  it('with an org spec, refuses roles and job spaces it does not declare, and groups (the spec makes them)', () => {
    const problems = testProblems(desk, {
      cases: [
        { name: 'typo', request: { principal: { id: 'x', roles: ['tier1', 'teir2'] }, action: 'org.read' }, expect: 'permitted' },
        { name: 'groups', request: { principal: { id: 'x', roles: ['tier1'], groups: ['responders'] }, action: 'org.read' }, expect: 'permitted' },
        { name: 'queue', request: { principal: { id: 'x', roles: ['tier1'] }, action: 'org.read', resource: { jobSpace: 'asia-queue' } }, expect: 'permitted' },
      ],
    });
    expect(where(problems).map(([name, path]) => [name, path])).toEqual([
      ['typo', 'request.principal.roles[1]'],
      ['groups', 'request.principal.groups'],
      ['queue', 'request.resource.jobSpace'],
    ]);
    expect(problems[0]?.message).toBe("unknown role 'teir2': the org spec declares auditor, lead, on-call, tier1, tier2");
  });

  it('refuses a command payload the platform would refuse, at the payload field', () => {
    const [problem] = testProblems(desk, {
      cases: [
        {
          name: 'not a uuid',
          request: { principal: { id: 'x', roles: ['lead'] }, action: 'roster.role.grant', command: { data: { role: 'tier1', subjectId: 'tim' } } },
          expect: 'permitted',
        },
      ],
    });
    expect(problem).toMatchObject({ case: 'not a uuid', path: 'request.command.data.subjectId' });
  });

  it('reports a file that is not YAML, or has no cases, as a whole', () => {
    expect(testProblems(policy, 'cases: [\n')).toEqual([expect.objectContaining({ code: 'FILE_SYNTAX', path: '' })]);
    expect(testProblems(policy, 'cases: []\n')).toEqual([
      expect.objectContaining({ code: 'TEST_INVALID', path: 'cases', message: 'a test file needs at least one case' }),
    ]);
    expect(testProblems(policy, 'cases:\n  - name: x\nextra: 1\n').map((problem) => problem.path)).toEqual(['extra']);
  });

  it("takes `now` and the org from the file's defaults unless a case sets them", () => {
    const clock = new Date();
    const pinned = new Date(clock.getTime() - 3_600_000).toISOString();
    const own = new Date(clock.getTime() - 7_200_000).toISOString();
    const tests = testsFrom(
      policy,
      {
        defaults: { now: pinned, org: { tags: ['lab'] } },
        cases: [
          { name: 'defaults', request: { principal: { id: 'eve' }, action: 'org.update' }, expect: 'not-permitted' },
          { name: 'its own', request: { principal: { id: 'eve' }, action: 'org.update', now: own, org: { tags: ['desk'] } }, expect: 'not-permitted' },
        ],
      },
      clock,
    );
    expect(tests.cases.map((testCase) => [testCase.request.now, testCase.request.org.tags])).toEqual([
      [pinned, ['lab']],
      [own, ['desk']],
    ]);
  });
});
