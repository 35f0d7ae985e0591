import { describe, expect, it } from 'vitest';
import { lateBound } from '../support/late-bound.ts';

describe('lateBound (the handle useTestServer and useWorkReadsFlow return)', () => {
  it('refuses to be read before its object exists, naming it', () => {
    const handle = lateBound<{ name: string }>('the thing', () => undefined);
    expect(() => handle.name).toThrow('the thing is not started yet');
  });

  it('reads through to the object once it exists, with methods bound to it', () => {
    let current: { name: string; greet(): string } | undefined;
    const handle = lateBound('the thing', () => current);
    current = {
      name: 'Ada',
      greet() {
        return `hello ${this.name}`;
      },
    };
    const { greet } = handle;
    expect(handle.name).toBe('Ada');
    expect(greet()).toBe('hello Ada');
  });
});
