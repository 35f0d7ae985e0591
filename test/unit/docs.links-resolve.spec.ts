import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { headingAnchors, relativeLinks } from '../support/markdown.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));

/**
 * Pages other branches are writing, linked from the README and docs/README.md before they land. The lead empties
 * this list when merging those branches; a page listed here that exists fails the test, so the list cannot go stale.
 */
const EXPECTED_PENDING_DOCS: readonly string[] = [
  'docs/troubleshooting.md',
];

const pages = ['README.md', ...readdirSync(join(root, 'docs')).filter((name) => name.endsWith('.md')).map((name) => `docs/${name}`)];
const anchorsOf = new Map<string, Set<string>>();
const anchors = (page: string) => {
  if (!anchorsOf.has(page)) anchorsOf.set(page, headingAnchors(readFileSync(join(root, page), 'utf8')));
  return anchorsOf.get(page)!;
};

/** Why `target`, linked from `page`, does not resolve; null when it does (or names a pending page). */
function brokenLink(page: string, target: string): string | null {
  const [path = '', anchor] = target.split('#', 2);
  const file = path === '' ? page : relative(root, resolve(dirname(join(root, page)), decodeURIComponent(path)));
  if (EXPECTED_PENDING_DOCS.includes(file)) return null;
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

  it('links the pending pages from the docs index, and none of them exists yet (empty EXPECTED_PENDING_DOCS when they land)', () => {
    const index = relativeLinks(readFileSync(join(root, 'docs/README.md'), 'utf8')).map((target) => `docs/${target.split('#')[0]}`);
    for (const pending of EXPECTED_PENDING_DOCS) {
      expect(index, pending).toContain(pending);
      expect(existsSync(join(root, pending)), `${pending} exists now: remove it from EXPECTED_PENDING_DOCS`).toBe(false);
    }
  });
});
