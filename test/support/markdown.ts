/**
 * Just enough Markdown for tests that hold the documentation to the code: marked regions, fenced blocks, table rows,
 * links and the anchors GitHub gives headings.
 */

import { required } from '../../domain/shared/required.ts';

/** The text between `<!-- name:start -->` and `<!-- name:end -->`; throws unless both markers are there, once each. */
export function markedRegion(markdown: string, name: string): string {
  const start = `<!-- ${name}:start -->`;
  const end = `<!-- ${name}:end -->`;
  const from = markdown.indexOf(start);
  const to = markdown.indexOf(end);
  if (from < 0 || to < from || markdown.indexOf(start, from + 1) >= 0 || markdown.indexOf(end, to + 1) >= 0) {
    throw new Error(`expected one ${start} ... ${end} region`);
  }
  return markdown.slice(from + start.length, to);
}

/** The bodies of the fenced code blocks of `markdown` whose info string is `language` (e.g. `sh`), in order. */
export function fencedBlocks(markdown: string, language: string): string[] {
  const blocks: string[] = [];
  const pattern = /^```(\S*)[^\n]*\n([\s\S]*?)^```[ \t]*$/gm;
  for (const match of markdown.matchAll(pattern)) if (match[1] === language) blocks.push(required(match[2], 'the body group always takes part'));
  return blocks;
}

/** The cells of every table row (header and separator rows included), trimmed. */
export function tableRows(markdown: string): string[][] {
  return markdown
    .split('\n')
    .filter((line) => line.startsWith('|'))
    .map((line) =>
      line
        .replace(/^\|/, '')
        .replace(/\|\s*$/, '')
        .split('|')
        .map((cell) => cell.trim()),
    );
}

/** `markdown` without its fenced blocks and inline code, where nothing is a link or a heading. */
function prose(markdown: string): string {
  return markdown.replace(/^```[^\n]*\n[\s\S]*?^```[ \t]*$/gm, '').replace(/`[^`\n]*`/g, '');
}

/** Link targets that are not absolute URLs: `other.md#part`, `#part`, `../README.md`. */
export function relativeLinks(markdown: string): string[] {
  const targets: string[] = [];
  for (const match of prose(markdown).matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)) {
    const target = required(match[1], 'the target group always takes part');
    if (!/^[a-z][a-z0-9+.-]*:/i.test(target)) targets.push(target);
  }
  return targets;
}

/** The anchors GitHub generates for the headings of `markdown` (github-slugger's rules, duplicates numbered). */
export function headingAnchors(markdown: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  const withoutBlocks = markdown.replace(/^```[^\n]*\n[\s\S]*?^```[ \t]*$/gm, '');
  for (const match of withoutBlocks.matchAll(/^#{1,6}[ \t]+(.+?)[ \t]*#*[ \t]*$/gm)) {
    const text = required(match[1], 'the heading group always takes part')
      .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
      .replace(/`/g, '');
    const base = text
      .toLowerCase()
      .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '')
      .replace(/ /g, '-');
    const count = seen.get(base) ?? 0;
    seen.set(base, count + 1);
    anchors.add(count === 0 ? base : `${base}-${count}`);
  }
  return anchors;
}
