import { describe, expect, it } from 'vitest';
import { expectedRevisionOf, firstRevisionOf } from '../../commands/stages/append.ts';

describe('the append stage expects the stream as loaded', () => {
  it('a stream that did not exist is expected not to', () => {
    expect(expectedRevisionOf(-1n)).toBe('no_stream');
    expect(expectedRevisionOf(0n)).toBe(0n);
    expect(expectedRevisionOf(7n)).toBe(7n);
  });

  it('our append starts right after the loaded revision; an idempotent answer for another append does not', () => {
    // Three events appended at revision 4 end at 7.
    expect(firstRevisionOf(7n, 3)).toBe(5n);
    expect(firstRevisionOf(0n, 1)).toBe(0n);
  });
});
