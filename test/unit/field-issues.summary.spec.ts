import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { fieldIssue, issuesSummary } from '../../domain/shared/field-issues.ts';

const schema = z.strictObject({ name: z.string(), slug: z.string().min(3), tags: z.array(z.string()).optional() });

function issues(value: unknown) {
  const parsed = schema.safeParse(value);
  if (parsed.success) throw new Error('expected a failure');
  return parsed.error.issues.map((issue) => fieldIssue(issue));
}

describe('validation issues in words a caller acts on', () => {
  it('calls a field that was not sent required, with its type', () => {
    expect(issues({})).toEqual([
      { path: ['name'], message: 'required (string)' },
      { path: ['slug'], message: 'required (string)' },
    ]);
  });

  it("keeps the schema's own message for a field that was sent", () => {
    expect(issues({ name: 'x', slug: 'ab', tags: [1] })).toEqual([
      { path: ['slug'], message: expect.stringContaining('3') },
      { path: ['tags', '0'], message: expect.stringMatching(/expected string, received number/) },
    ]);
  });

  it('names the first problems in the message and points to the rest', () => {
    const all = [...issues({}), { path: ['a'], message: 'm' }, { path: [], message: 'not an object' }];
    expect(issuesSummary('the command is invalid', all)).toBe(
      'the command is invalid: name: required (string); slug: required (string); a: m; and 1 more in details.issues',
    );
    expect(issuesSummary('the command is invalid', [{ path: [], message: 'expected a JSON object' }])).toBe(
      'the command is invalid: (body): expected a JSON object',
    );
    expect(issuesSummary('the command is invalid', [])).toBe('the command is invalid');
  });
});
