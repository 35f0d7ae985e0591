import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// The layer rules each folder's README.md states. A file may import its own folder, the folders listed for it, and
// the packages listed for it (domain/ only; other layers may use any dependency). Keep this table and the READMEs
// in step: the READMEs say why, this test says it still holds.
const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

const LAYERS = ['domain', 'infra', 'commands', 'projections', 'processes', 'api', 'bin', 'bench', 'examples', 'test'] as const;
type Layer = (typeof LAYERS)[number];

const MAY_IMPORT: Record<Layer, readonly Layer[]> = {
  domain: [],
  infra: [],
  commands: ['domain', 'infra'],
  projections: ['domain', 'infra'],
  processes: ['domain', 'infra', 'commands', 'projections'],
  api: ['domain', 'infra', 'commands', 'projections', 'processes'],
  bin: ['domain', 'infra', 'commands', 'projections', 'processes', 'api'],
  bench: ['domain', 'infra', 'commands', 'projections', 'processes', 'api', 'bin'],
  examples: ['infra', 'api'],
  test: ['domain', 'infra', 'commands', 'projections', 'processes', 'api', 'bin', 'bench', 'examples'],
};

// The domain is pure: schemas, rule conditions, ids and hashes, nothing that does I/O.
const DOMAIN_PACKAGES = new Set(['zod', '@marcbachmann/cel-js', '@cfworker/json-schema', 'uuid', 'node:crypto', 'lru-cache']);

// Known breaks, "importer -> imported" with paths from the repository root. Each entry must still be a break (the
// test fails on a stale one), so these lists can only shrink.
const KNOWN_BREAKS: Record<string, readonly string[]> = {};

function sourceFiles(dir: string): string[] {
  return readdirSync(join(root, dir), { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'node_modules' ? [] : sourceFiles(path);
    return /\.[cm]?ts$/.test(entry.name) ? [path] : [];
  });
}

// Static imports and re-exports (`... from '...'`, over several lines too), side-effect imports and dynamic
// imports with a literal specifier. The compiler has no JS API to ask (TypeScript 7), and these are the only forms
// the code base uses.
const IMPORT_FORMS = [
  /^\s*(?:import|export)\b[^;'"]*?\bfrom\s*['"]([^'"]+)['"]/gm,
  /^\s*import\s*['"]([^'"]+)['"]/gm,
  /\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)/g,
];

/** Every specifier a file imports or re-exports, statically or dynamically. */
function specifiers(file: string): string[] {
  const source = readFileSync(join(root, file), 'utf8');
  return IMPORT_FORMS.flatMap((form) => [...source.matchAll(form)].map((match) => match[1] ?? ''));
}

function layerOf(path: string): string {
  return path.split('/')[0] ?? path;
}

function packageName(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] ?? specifier);
}

interface Edge {
  from: string;
  to: string;
}

const edges: Edge[] = LAYERS.flatMap((layer) =>
  sourceFiles(layer).flatMap((file) =>
    specifiers(file).map((specifier) => ({
      from: file,
      to: specifier.startsWith('.') ? relative(root, resolve(root, dirname(file), specifier)) : `package:${specifier}`,
    })),
  ),
);

function breaks(edge: Edge): boolean {
  const from = layerOf(edge.from) as Layer;
  if (edge.to.startsWith('package:')) return from === 'domain' && !DOMAIN_PACKAGES.has(packageName(edge.to.slice(8)));
  const to = layerOf(edge.to);
  return to !== from && !(MAY_IMPORT[from] as readonly string[]).includes(to);
}

// examples/ shows what a user of the platform writes, so it may use only what a user has: the agents' SDK and the
// bus port the SDK's NatsBus implements.
const USER_SURFACE = ['examples/', 'api/agent-client/', 'infra/bus/port.ts'];

const known = new Set(Object.values(KNOWN_BREAKS).flat());

describe('layer import rules', () => {
  it('reads the imports of every layer', () => {
    // Guards the scanner itself: an empty or blind scan would pass every rule below.
    for (const layer of LAYERS)
      expect(
        edges.some((edge) => layerOf(edge.from) === layer),
        layer,
      ).toBe(true);
    expect(edges).toContainEqual({ from: 'api/platform.ts', to: 'processes/work/work-processes.ts' });
    expect(edges).toContainEqual({ from: 'domain/policy/conditions.ts', to: 'package:@marcbachmann/cel-js' });
  });

  it('flags an import against the rules', () => {
    expect(breaks({ from: 'domain/org/decider.ts', to: 'infra/bus/port.ts' })).toBe(true);
    expect(breaks({ from: 'domain/org/decider.ts', to: 'package:pino' })).toBe(true);
    expect(breaks({ from: 'processes/x.ts', to: 'api/server.ts' })).toBe(true);
    expect(breaks({ from: 'api/server.ts', to: 'test/support/async.ts' })).toBe(true);
    expect(breaks({ from: 'api/server.ts', to: 'processes/x.ts' })).toBe(false);
  });

  it('has no import that breaks them, beyond the known breaks', () => {
    const unexpected = edges
      .filter(breaks)
      .map((edge) => `${edge.from} -> ${edge.to}`)
      .filter((edge) => !known.has(edge));
    expect(unexpected).toEqual([]);
  });

  it('lists only known breaks that still exist, so the lists only shrink', () => {
    const current = new Set(edges.filter(breaks).map((edge) => `${edge.from} -> ${edge.to}`));
    expect([...known].filter((edge) => !current.has(edge))).toEqual([]);
  });

  it('lets examples/ import only what a user of the platform has', () => {
    const internal = edges.filter(
      (edge) => layerOf(edge.from) === 'examples' && !edge.to.startsWith('package:') && !USER_SURFACE.some((allowed) => edge.to.startsWith(allowed)),
    );
    expect(internal.map((edge) => `${edge.from} -> ${edge.to}`)).toEqual([]);
  });
});
