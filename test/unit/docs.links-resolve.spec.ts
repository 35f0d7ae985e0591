import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { headingAnchors, relativeLinks } from '../support/markdown.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));

const pages = [
  'README.md',
  ...readdirSync(join(root, 'docs'))
    .filter((name) => name.endsWith('.md'))
    .map((name) => `docs/${name}`),
];
const anchorsOf = new Map<string, Set<string>>();
const anchors = (page: string) => {
  const known = anchorsOf.get(page);
  if (known) return known;
  const read = headingAnchors(readFileSync(join(root, page), 'utf8'));
  anchorsOf.set(page, read);
  return read;
};

/** Why `target`, linked from `page`, does not resolve; null when it does. */
function brokenLink(page: string, target: string): string | null {
  const [path = '', anchor] = target.split('#', 2);
  const file = path === '' ? page : relative(root, resolve(dirname(join(root, page)), decodeURIComponent(path)));
  if (!existsSync(join(root, file))) return `${file} does not exist`;
  if (anchor === undefined || anchor === '') return null;
  if (!file.endsWith('.md') || statSync(join(root, file)).isDirectory()) return `#${anchor}: only Markdown pages have anchors`;
  return anchors(file).has(anchor) ? null : `${file} has no heading with the anchor #${anchor}`;
}

describe('links of README.md and docs/*.md', () => {
  it.each(pages)('every relative link and anchor of %s resolves', (page) => {
    const broken = relativeLinks(readFileSync(join(root, page), 'utf8'))
      .map((target) => ({ target, problem: brokenLink(page, target) }))
      .filter((link) => link.problem !== null);
    expect(broken).toEqual([]);
  });

  it('lists every page of docs/ in the docs index', () => {
    const index = new Set(relativeLinks(readFileSync(join(root, 'docs/README.md'), 'utf8')).map((target) => `docs/${target.split('#')[0]}`));
    const unlisted = pages.filter((page) => page.startsWith('docs/') && page !== 'docs/README.md' && !index.has(page));
    expect(unlisted).toEqual([]);
  });
});
