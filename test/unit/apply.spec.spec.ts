import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { role } from '../support/roster-fixtures.ts';
import { formatIssue, loadSpec, parseSpec, type SpecIssue } from '../../bin/apply/spec.ts';

const examples = fileURLToPath(new URL('../../examples/', import.meta.url));

const header = `apiVersion: agencygrid/v1
kind: Org
org:
  slug: lab
  name: Lab
`;

/** Loads YAML text, expecting it to be invalid; returns its issues. */
function problems(text: string): SpecIssue[] {
  const result = loadSpec(text);
  if (result.ok) throw new Error('expected the spec to be invalid');
  return result.issues;
}

const paths = (issues: readonly SpecIssue[]) => issues.map((issue) => issue.path.join('.'));

describe('apply spec: valid specs', () => {
  it.each(['research-lab.yaml', 'support-desk.yaml'])('%s is valid (shape, references, policy actions and CEL)', (name) => {
    const result = loadSpec(readFileSync(`${examples}${name}`, 'utf8'));
    expect(result.ok ? [] : result.issues.map(formatIssue)).toEqual([]);
  });

  it('fills the domain defaults and normalises ids', () => {
    const result = loadSpec(`${header}
subjects:
  - id: A1A92C72-6644-42BB-B446-E3C2F953150F
    kind: agent
    displayName: Ada
roles:
  - name: editor
associations:
  - subject: a1a92c72-6644-42bb-b446-e3c2f953150f
    role: editor
`);
    if (!result.ok) throw new Error(JSON.stringify(result.issues));
    expect(result.spec.subjects[0]?.id).toBe('a1a92c72-6644-42bb-b446-e3c2f953150f');
    // Every default of a role definition, as the roster fixtures spell them out.
    expect(result.spec.roles[0]).toEqual(role('editor'));
    expect(result.spec).toMatchObject({ jobSpaces: [], groups: [], conflicts: [] });
    expect(result.spec.policy).toBeUndefined();
  });

  it('reads JSON as well', () => {
    const result = loadSpec(
      JSON.stringify({ apiVersion: 'agencygrid/v1', kind: 'Org', org: { slug: 'lab', name: 'Lab' }, roles: [{ name: 'writer' }] }, null, 2),
    );
    expect(result.ok).toBe(true);
  });
});

describe('apply spec: errors come with their path and line', () => {
  it('reports the wrong apiVersion and kind', () => {
    const issues = problems(header.replace('agencygrid/v1', 'agencygrid/v2').replace('kind: Org', 'kind: Team'));
    expect(paths(issues)).toEqual(['apiVersion', 'kind']);
    expect(issues[0]).toMatchObject({ line: 1, column: 13 });
    expect(issues[1]).toMatchObject({ line: 2 });
  });

  it('reports a missing required field at its parent, and an unknown field', () => {
    const issues = problems(`apiVersion: agencygrid/v1
kind: Org
org:
  slug: lab
  nmae: Lab
`);
    expect(paths(issues).sort()).toEqual(['org', 'org.name']);
    const missing = issues.find((issue) => issue.path.join('.') === 'org.name');
    expect(missing).toMatchObject({ line: 4 });
    expect(issues.find((issue) => issue.path.join('.') === 'org')?.message).toMatch(/nmae/);
  });

  it('reports an invalid slug and a domain refinement deep in a list, at the offending line', () => {
    const issues = problems(`apiVersion: agencygrid/v1
kind: Org
org:
  slug: Lab_1
  name: Lab
roles:
  - name: writer
  - name: reviewer
    minHolders: 4
    maxHolders: 3
`);
    expect(paths(issues)).toEqual(['org.slug', 'roles.1.maxHolders']);
    expect(issues[0]).toMatchObject({ line: 4, column: 9 });
    expect(issues[1]).toMatchObject({ line: 10, column: 17, message: 'maxHolders must be >= minHolders' });
    expect(formatIssue(issues[1] as SpecIssue)).toBe('roles[1].maxHolders (line 10, column 17): maxHolders must be >= minHolders');
  });

  it('reports YAML syntax errors with their line', () => {
    const issues = problems(`${header}roles:
  - name: writer
   description: bad indent
`);
    expect(issues.length).toBeGreaterThan(0);
    expect(issues[0]?.line).toBeGreaterThanOrEqual(7);
  });

  it('reports duplicate keys', () => {
    const issues = problems(`${header}org:
  slug: other
  name: Other
`);
    expect(issues[0]?.message).toMatch(/unique/i);
    expect(issues[0]?.line).toBe(6);
  });

  it('reports a bad subject: bad uuid, unknown kind, credentials in the endpoint', () => {
    const issues = problems(`${header}subjects:
  - id: not-a-uuid
    kind: robot
    displayName: Robo
    endpoint: https://user:pw@example.org/
`);
    expect(paths(issues)).toEqual(['subjects.0.id', 'subjects.0.kind', 'subjects.0.endpoint']);
  });
});

describe('apply spec: cross-checks', () => {
  const base = { apiVersion: 'agencygrid/v1', kind: 'Org', org: { slug: 'lab', name: 'Lab' } };
  const check = (value: Record<string, unknown>) => {
    const result = parseSpec({ ...base, ...value });
    return result.ok ? [] : result.issues;
  };
  const ada = { id: 'a1a92c72-6644-42bb-b446-e3c2f953150f', kind: 'agent', displayName: 'Ada', capabilities: [{ name: 'review.peer', level: 3 }] };
  const wes = { id: '7f4d259c-ecde-4e1b-adb2-c8802fddab04', kind: 'agent', displayName: 'Wes' };

  it('finds references to roles, groups and job spaces the spec does not declare', () => {
    const issues = check({
      roles: [{ name: 'writer', inherits: ['member'] }],
      groups: [{ name: 'staff', parent: 'everyone', roles: ['writer', 'editor'] }],
      conflicts: [{ roles: ['writer', 'reviewer'], reason: 'sod' }],
      associations: [{ subject: wes.id, role: 'editor', jobSpace: 'paper' }],
    });
    expect(paths(issues)).toEqual([
      'roles.0.inherits.0',
      'groups.0.roles.1',
      'groups.0.parent',
      'conflicts.0.roles.1',
      'associations.0.role',
      'associations.0.jobSpace',
    ]);
    expect(issues[0]?.message).toBe("unknown role 'member': declare it under roles");
  });

  it('finds duplicates', () => {
    const issues = check({
      subjects: [wes, { ...wes, displayName: 'Wes again' }],
      roles: [{ name: 'writer' }, { name: 'reviewer' }, { name: 'writer' }],
      conflicts: [
        { roles: ['writer', 'reviewer'], reason: 'a' },
        { roles: ['reviewer', 'writer'], reason: 'b' },
      ],
      associations: [
        { subject: wes.id, role: 'writer' },
        { subject: wes.id, role: 'writer' },
      ],
    });
    expect(paths(issues)).toEqual(['subjects.1.id', 'roles.2.name', 'conflicts.1.roles', 'associations.1.role']);
  });

  it('finds inheritance and group cycles', () => {
    const issues = check({
      roles: [
        { name: 'a', inherits: ['b'] },
        { name: 'b', inherits: ['a'] },
      ],
      groups: [
        { name: 'x', parent: 'y' },
        { name: 'y', parent: 'x' },
      ],
    });
    expect(paths(issues)).toEqual(['roles.0.inherits', 'roles.1.inherits', 'groups.0.parent', 'groups.1.parent']);
    expect(issues[0]?.message).toBe('role inheritance forms a cycle: a -> b -> a');
  });

  it('finds associations that break cardinality, separation of duties (inheritance included) or capability requirements', () => {
    const rita = { id: 'd3a59c26-1661-4af9-8e76-57864b51d56b', kind: 'agent', displayName: 'Rita', capabilities: [{ name: 'review.peer', level: 6 }] };
    const issues = check({
      subjects: [ada, wes, rita],
      roles: [
        { name: 'writer' },
        { name: 'senior-writer', inherits: ['writer'] },
        { name: 'reviewer', maxHolders: 1, requiredCapabilities: [{ name: 'review.peer', level: 5 }] },
      ],
      conflicts: [{ roles: ['writer', 'reviewer'], reason: 'nobody reviews their own paper' }],
      associations: [
        { subject: ada.id, role: 'reviewer' },
        { subject: rita.id, role: 'reviewer' },
        { subject: rita.id, role: 'senior-writer' },
      ],
    });
    expect(issues.map((issue) => [issue.path.join('.'), issue.message])).toEqual([
      ['associations.0.subject', 'subject Ada lacks review.peer >= 5, which role reviewer requires (it declares level 3)'],
      ['associations.1.role', 'role reviewer allows at most 1 holder; the spec grants it to 2 subjects'],
      ['conflicts.0.roles', 'subject Rita is associated with both writer and reviewer'],
    ]);
  });

  it('validates the policy as the server will: rule shape, unique ids, known actions, CEL with its position', () => {
    const issues = check({
      policy: {
        rules: [
          { id: 'r1', effect: 'permit', actions: ['roster.role.grnat'], reason: 'typo in the action' },
          { id: 'r1', effect: 'permit', actions: ['org.read'], reason: 'duplicate id' },
          { id: 'r3', effect: 'forbid', actions: ['roster.*'], when: 'principal.rolez.size() > 0', reason: 'misspelled field' },
          { id: 'r4', effect: 'permit', actions: ['org.read'], when: 'command.data.role ==', reason: 'syntax' },
        ],
      },
    });
    expect(paths(issues)).toEqual(['policy.rules.0.actions.0', 'policy.rules.1.id', 'policy.rules.2.when', 'policy.rules.3.when']);
    expect(issues[0]?.message).toBe("action pattern 'roster.role.grnat' matches no known action");
    expect(issues[3]?.message).toMatch(/condition line 1, column \d+/);

    const shape = check({ policy: { rules: [{ id: 'r1', effect: 'allow', actions: [], reason: '' }] } });
    expect(paths(shape).sort()).toEqual(['policy.rules.0.actions', 'policy.rules.0.effect', 'policy.rules.0.reason']);
  });

  it('locates policy problems in the file', () => {
    const issues = problems(`${header}policy:
  rules:
    - id: ok
      effect: permit
      actions: [org.read]
      reason: fine
    - id: bad
      effect: permit
      actions: [org.read]
      when: principal.nope == "x"
      reason: unknown field
`);
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatchObject({ path: ['policy', 'rules', 1, 'when'], line: 15, column: 13 });
  });
});
