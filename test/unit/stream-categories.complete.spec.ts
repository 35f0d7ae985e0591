import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { STREAM_CATEGORIES, isStreamCategory } from '../../domain/events/stream-categories.ts';
import { streamCategory } from '../../infra/eventstore/port.ts';

const root = join(import.meta.dirname, '..', '..');

function sources(dir: string): string[] {
  return readdirSync(join(root, dir), { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts'))
    .map((entry) => join(entry.parentPath, entry.name));
}

/** Every exported `xStream = (...) => \`x-...\`` of the domain and the command side: how stream ids are made. */
function streamIdFunctions(): Array<{ file: string; name: string }> {
  return [...sources('domain'), ...sources('commands')].flatMap((file) =>
    [...readFileSync(file, 'utf8').matchAll(/export const (\w+Stream) = \(/g)].map((match) => ({ file, name: match[1] ?? '' })),
  );
}

describe('the stream categories list', () => {
  it('holds the category of every stream id the platform makes', async () => {
    const functions = streamIdFunctions();
    expect(functions.length).toBeGreaterThanOrEqual(STREAM_CATEGORIES.length);
    const made = new Set<string>();
    for (const { file, name } of functions) {
      const module = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
      const make = module[name];
      if (typeof make !== 'function') throw new Error(`${relative(root, file)}: ${name} is not a function`);
      const streamId = String(make(...Array.from({ length: make.length }, () => 'x')));
      const category = streamCategory(streamId);
      expect(isStreamCategory(category), `${relative(root, file)}: ${name} makes ${streamId}`).toBe(true);
      made.add(category);
    }
    // And nothing listed that no stream is made under: a listed name nothing is written to would match nothing.
    expect([...made].sort()).toEqual([...STREAM_CATEGORIES].sort());
  });
});
