import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { knownActions } from '../../commands/known-actions.ts';
import { validatePolicySet } from '../../domain/policy/validate.ts';

const read = (name: string): unknown => parse(readFileSync(new URL(`../../examples/${name}`, import.meta.url), 'utf8'));

describe('examples/research-lab-draft-rules.yaml (the what-if example of docs/audit.md)', () => {
  const draft = read('research-lab-draft-rules.yaml') as { rules: Array<{ id: string }> };
  const published = (read('research-lab.yaml') as { policy: { rules: Array<{ id: string }> } }).policy.rules;

  it('is a policy the server would accept as a draft', () => {
    expect(validatePolicySet(draft.rules, knownActions())).toMatchObject({ ok: true });
  });

  it("is the lab's published rules with one rule added, as its header says", () => {
    expect(draft.rules.slice(0, published.length)).toEqual(published);
    expect(draft.rules.slice(published.length).map((rule) => rule.id)).toEqual(['staffing-is-the-editors']);
  });
});
