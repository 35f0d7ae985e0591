import { readFileSync } from 'node:fs';
import semver from 'semver';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';

const manifest = z.object({ engines: z.object({ node: z.string() }) });
const lockfile = z.object({
  packages: z.record(z.string(), z.object({ version: z.string().optional(), engines: z.unknown().optional() })),
});

const read = (name: string) => JSON.parse(readFileSync(new URL(`../../${name}`, import.meta.url), 'utf8')) as unknown;

/** The oldest Node package.json says the project runs on: what every locked package must accept. */
const baseline = semver.minVersion(manifest.parse(read('package.json')).engines.node);

describe('the Node baseline holds for every locked package', () => {
  it('has a baseline in package.json engines', () => {
    expect(baseline?.version).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it("accepts the baseline in every package-lock.json entry's engines.node", () => {
    const offenders: string[] = [];
    for (const [path, entry] of Object.entries(lockfile.parse(read('package-lock.json')).packages)) {
      const node = typeof entry.engines === 'object' && entry.engines !== null && 'node' in entry.engines ? entry.engines.node : undefined;
      if (node === undefined) continue;
      const range = typeof node === 'string' ? semver.validRange(node) : null;
      if (range === null || baseline === null || !semver.satisfies(baseline, range))
        offenders.push(`${path || '(root)'}@${entry.version ?? '?'} wants node ${String(node)}`);
    }
    expect(offenders).toEqual([]);
  });

  it('makes npm refuse to install a package that does not support the running Node (engine-strict)', () => {
    const npmrc = readFileSync(new URL('../../.npmrc', import.meta.url), 'utf8');
    expect(npmrc.split('\n').map((line) => line.trim())).toContain('engine-strict=true');
  });
});
