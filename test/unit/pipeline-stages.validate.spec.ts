import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { DEFAULT_INPUT_LIMITS } from '../../commands/input-limits.ts';
import { validateCommand } from '../../commands/stages/validate.ts';

const schema = z.object({ type: z.literal('Rename'), data: z.object({ name: z.string().min(1), tags: z.array(z.string()).optional() }) });

describe('the validate stage', () => {
  it('types the command when its schema accepts it', () => {
    expect(validateCommand(schema, { type: 'Rename', data: { name: 'x' } }, DEFAULT_INPUT_LIMITS)).toEqual({
      ok: true,
      command: { type: 'Rename', data: { name: 'x' } },
    });
  });

  it('names the client field (the path under `data`) of each schema issue', () => {
    const validated = validateCommand(schema, { type: 'Rename', data: { tags: [1] } }, DEFAULT_INPUT_LIMITS);
    if (validated.ok) throw new Error('expected a refusal');
    expect(validated.error.kind).toBe('invalid');
    expect(validated.error.code).toBe('VALIDATION_FAILED');
    const paths = (validated.error.details.issues as Array<{ path: string[] }>).map((issue) => issue.path);
    expect(paths).toEqual(expect.arrayContaining([['name'], ['tags', '0']]));
  });

  it('refuses a payload past the input limits before its schema runs, even one the schema would accept', () => {
    const limits = { ...DEFAULT_INPUT_LIMITS, maxStringLength: 4 };
    const validated = validateCommand(schema, { type: 'Rename', data: { name: 'longer than four' } }, limits);
    if (validated.ok) throw new Error('expected a refusal');
    // The limits' refusal speaks of the request; the schema's of the command.
    expect(validated.error.message).toMatch(/^the request is invalid/);
    expect((validated.error.details.issues as Array<{ path: string[] }>).map((issue) => issue.path)).toEqual([['name']]);
    expect(validateCommand(schema, { type: 'Rename', data: { name: 'ok' } }, limits).ok).toBe(true);
  });

  it('leaves input without a `data` payload to the schema to refuse', () => {
    const validated = validateCommand(schema, 'Rename', DEFAULT_INPUT_LIMITS);
    if (validated.ok) throw new Error('expected a refusal');
    expect(validated.error.code).toBe('VALIDATION_FAILED');
  });
});
