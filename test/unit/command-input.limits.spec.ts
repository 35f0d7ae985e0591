import { describe, expect, it } from 'vitest';
import { DEFAULT_INPUT_LIMITS, inputProblem, refuseInput, type InputLimits } from '../../commands/input-limits.ts';

const limits: InputLimits = { maxDepth: 8, maxStringLength: 100, maxKeyLength: 20, maxBytes: 2_000 };

function nested(depth: number): unknown {
  let value: unknown = 'leaf';
  for (let level = 0; level < depth; level += 1) value = level % 2 === 0 ? [value] : { a: value };
  return value;
}

describe('the limits every command is held to', () => {
  it('accepts well-formed JSON within the limits, surrogate pairs and all', () => {
    expect(inputProblem({ name: 'Zoë 😀 名前', tags: ['a', 'b'], n: 1.5, ok: true, none: null, absent: undefined, deep: nested(7) }, limits)).toBeNull();
  });

  it.each([
    ['a lone high surrogate in a value', { displayName: '\ud800' }, ['displayName'], /well-formed Unicode/],
    ['a lone low surrogate after text', { profile: { note: 'ok \udc00' } }, ['profile', 'note'], /well-formed Unicode/],
    ['a reversed surrogate pair', { list: ['x', '\udc00\ud800'] }, ['list', '1'], /well-formed Unicode/],
    ['U+0000 in a value', { reason: 'a\u0000b' }, ['reason'], /U\+0000/],
    ['a lone surrogate in a key', { metadata: { '\ud800': 'x' } }, ['metadata', '(key)'], /key must be well-formed/],
    ['U+0000 in a key', { metadata: { 'a\u0000': 'x' } }, ['metadata', 'a\u0000'], /key must not contain U\+0000/],
    ['a string over the length cap', { description: 'x'.repeat(101) }, ['description'], /at most 100 characters/],
    ['a key over the length cap', { tags: { ['k'.repeat(21)]: 1 } }, ['tags', '(key)'], /key is at most 20/],
    ['nesting past the cap', { input: nested(8) }, ['input', 'a', '0', 'a', '0', 'a', '0', 'a'], /nest at most 8 levels/],
    ['a non-finite number', { price: Number.NaN }, ['price'], /finite/],
    ['a function', { f: () => 1 }, ['f'], /not a JSON value/],
  ])('refuses %s, naming the field', (_name, value, path, message) => {
    const problem = inputProblem(value, limits);
    expect(problem?.path).toEqual(path);
    expect(problem?.message).toMatch(message);
  });

  it('refuses a value whose total size passes the cap, even when every string is within its own', () => {
    const value = { items: Array.from({ length: 40 }, () => 'y'.repeat(99)) };
    expect(inputProblem(value, limits)?.message).toMatch(/larger than 2000 bytes/);
  });

  it('counts bytes as UTF-8, so multi-byte text reaches the size cap sooner', () => {
    expect(inputProblem({ items: Array.from({ length: 10 }, () => 'é'.repeat(99)) }, limits)?.message).toMatch(/larger than 2000 bytes/);
    expect(inputProblem({ items: Array.from({ length: 10 }, () => 'e'.repeat(99)) }, limits)).toBeNull();
  });

  it('refuses nesting far past the cap without exhausting the stack', () => {
    // 100,000 levels would overflow any recursive walk; the depth is checked before descending.
    expect(inputProblem(nested(100_000), DEFAULT_INPUT_LIMITS)?.message).toMatch(/nest at most 64 levels/);
  });

  it('answers a refusal as 400 VALIDATION_FAILED with the field path, under a prefix when given', () => {
    expect(refuseInput({ displayName: '\ud800' }, limits, ['body'])).toEqual({
      kind: 'invalid',
      code: 'VALIDATION_FAILED',
      message: 'the request is invalid: body.displayName: a string must be well-formed Unicode (no lone surrogates)',
      details: { issues: [{ path: ['body', 'displayName'], message: 'a string must be well-formed Unicode (no lone surrogates)' }] },
    });
    expect(refuseInput({ displayName: 'fine' }, limits)).toBeNull();
  });
});
