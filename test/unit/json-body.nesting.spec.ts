import { describe, expect, it } from 'vitest';
import { nestingPasses } from '../../api/json-body.ts';

describe('JSON nesting measured before parsing', () => {
  it.each([
    ['flat values', '{"a":1,"b":[1,2],"c":{"d":null}}', 2, false],
    ['exactly the cap', '[[["x"]]]', 3, false],
    ['one past the cap', '[[[["x"]]]]', 3, true],
    ['siblings do not add up', '[[1],[2],[3],{"a":[4]}]', 3, false],
    ['brackets inside strings do not count', '{"a":"[[[[{{{{","b":"}}]]"}', 1, false],
    ['an escaped quote does not end a string', '{"a":"\\"[[[[[["}', 1, false],
    ['an escaped backslash before the closing quote', '{"a":"\\\\","b":[[[1]]]}', 3, true],
  ])('%s', (_name, text, max, passes) => {
    expect(nestingPasses(text, max)).toBe(passes);
    if (!passes) expect(() => JSON.parse(text)).not.toThrow();
  });

  it('stops at the cap on a hostile body of any length', () => {
    expect(nestingPasses('['.repeat(1_000_000), 64)).toBe(true);
  });
});
