import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { parsePolicyFile } from '../../bin/policy/policy-file.ts';
import { hashPolicyRules } from '../../domain/policy/hash.ts';
import { exampleText, rule } from '../support/policy-test-fixtures.ts';

/** The policy file: any shape the platform's tools take, validated as drafting a policy version validates it. */
const rules = [rule('editors-edit', 'permit', ['org.update'], { roles: ['editor'] }), rule('no-archive', 'forbid', ['org.archive'])];

function problemsOf(text: string, file = 'policy.yaml') {
  const loaded = parsePolicyFile(file, text);
  if (loaded.ok) throw new Error('expected the policy file to be invalid');
  return loaded.problems;
}

describe('policy files', () => {
  it('reads a list of rules, {description, rules}, and JSON alike, with the hash the platform records', () => {
    for (const text of [stringify(rules), stringify({ description: 'v1', rules }), JSON.stringify({ rules })]) {
      const loaded = parsePolicyFile('policy.yaml', text);
      if (!loaded.ok) throw new Error(JSON.stringify(loaded.problems));
      expect(loaded.policy).toMatchObject({ source: 'rules', rules, hash: hashPolicyRules(rules), roster: null });
    }
    const described = parsePolicyFile('policy.yaml', stringify({ description: 'v1', rules }));
    expect(described.ok && described.policy.description).toBe('v1');
  });

  it("reads an org spec's policy section, with its roster and org", () => {
    const loaded = parsePolicyFile('examples/support-desk.yaml', exampleText('examples/support-desk.yaml'));
    if (!loaded.ok) throw new Error(JSON.stringify(loaded.problems));
    expect(loaded.policy.source).toBe('spec');
    expect(loaded.policy.description).toBe('Support desk rules v1');
    expect(loaded.policy.rules.map((item) => item.id)).toContain('auditor-changes-nothing');
    expect([...(loaded.policy.roster?.roles.keys() ?? [])].sort()).toEqual(['auditor', 'lead', 'on-call', 'tier1', 'tier2']);
    expect(loaded.policy.org.tags).toEqual(['support', 'customer-facing']);
  });

  it('reports every invalid rule by path and line, a condition error with its place in the condition', () => {
    const problems = problemsOf(`rules:
  - id: ok
    effect: permit
    actions: [org.update]
    reason: fine
  - id: typo
    effect: permit
    actions: [org.updte]
    reason: a typo
  - id: bad-cel
    effect: forbid
    actions: [org.update]
    when: principal.rolez == 1
    reason: a misspelled field
`);
    expect(problems.map((problem) => [problem.path, problem.line])).toEqual([
      ['rules[1].actions[0]', 8],
      ['rules[2].when', 13],
    ]);
    expect(problems[0]?.message).toBe("action pattern 'org.updte' matches no known action");
    expect(problems[1]?.message).toMatch(/\(condition line 1, column \d+\)$/);
  });

  it('refuses an org spec without a policy, or that apply would refuse', () => {
    const spec = 'apiVersion: agencygrid/v1\nkind: Org\norg: { slug: lab, name: Lab }\n';
    expect(problemsOf(spec)).toEqual([
      expect.objectContaining({ code: 'POLICY_INVALID', path: 'policy', message: 'the org spec has no policy section to test' }),
    ]);
    expect(problemsOf(`${spec}roles: [{ name: writer, inherits: [ghost] }]\npolicy: { rules: [] }\n`)).toEqual([
      expect.objectContaining({ path: 'roles[0].inherits[0]', line: 4, message: "unknown role 'ghost': declare it under roles" }),
    ]);
  });

  it('refuses other shapes and text that is not YAML', () => {
    expect(problemsOf('just text\n')[0]?.message).toMatch(/^expected a list of rules/);
    expect(problemsOf('{ rules: [], version: 3 }\n').map((problem) => problem.path)).toEqual(['version']);
    expect(problemsOf('rules: [\n')[0]).toMatchObject({ code: 'FILE_SYNTAX' });
  });
});
