import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { required } from '../../domain/shared/required.ts';
import { knownActions } from '../../commands/known-actions.ts';
import { markedRegion, tableRows } from '../support/markdown.ts';

const page = readFileSync(new URL('../../docs/policies.md', import.meta.url), 'utf8');

describe('docs/policies.md', () => {
  it('lists every action a policy rule may name, once, and nothing else', () => {
    const documented = tableRows(markedRegion(page, 'actions'))
      .slice(2)
      .flatMap((cells) => [...(cells[1] ?? '').matchAll(/`([a-z.]+)`/g)].map((match) => required(match[1], 'the pattern has one group')));
    expect(documented.length).toBe(new Set(documented).size);
    expect([...documented].sort()).toEqual([...knownActions()].sort());
  });
});
