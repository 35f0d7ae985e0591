import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { configSchema } from '../../infra/config/env.ts';
import { markedRegion, tableRows } from '../support/markdown.ts';

const page = readFileSync(new URL('../../docs/configuration.md', import.meta.url), 'utf8');

/** Each documented setting (the first cell of a settings table row, one backticked name) and its default cell. */
function documentedSettings(): Array<{ name: string; default: string }> {
  return tableRows(markedRegion(page, 'settings'))
    .filter((cells) => cells[0] !== 'variable' && !/^-+$/.test(cells[0] ?? ''))
    .map((cells) => {
      const name = /^`([A-Z][A-Z0-9_]*)`$/.exec(cells[0] ?? '')?.[1];
      if (name === undefined) throw new Error(`a settings row must name one variable in backticks: | ${cells.join(' | ')} |`);
      return { name, default: (cells[1] ?? '').replace(/^`(.*)`$/, '$1') };
    });
}

describe('docs/configuration.md', () => {
  it('lists every setting of the config schema once, and nothing else', () => {
    const documented = documentedSettings().map((setting) => setting.name);
    expect(documented.length).toBe(new Set(documented).size);
    expect([...documented].sort()).toEqual(Object.keys(configSchema.shape).sort());
  });

  it("gives each setting the schema's default ('unset' when it has none)", () => {
    const defaults: Record<string, unknown> = configSchema.parse({});
    for (const setting of documentedSettings()) {
      const actual = defaults[setting.name];
      expect(setting.default, setting.name).toBe(actual === undefined ? 'unset' : String(actual));
    }
  });
});
