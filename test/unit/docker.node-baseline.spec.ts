import { readFileSync } from 'node:fs';
import semver from 'semver';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';

const read = (name: string) => readFileSync(new URL(`../../${name}`, import.meta.url), 'utf8');
const baseline = semver.minVersion(z.object({ engines: z.object({ node: z.string() }) }).parse(JSON.parse(read('package.json'))).engines.node);

describe('one Node baseline, stated the same everywhere', () => {
  it("builds the image on the baseline's major version", () => {
    const images = [...read('Dockerfile').matchAll(/^FROM\s+node:(\d+)[-.:\s]/gm)].map((match) => Number(match[1]));
    expect(images.length).toBeGreaterThan(0);
    for (const major of images) expect(major).toBe(baseline?.major);
  });

  it('states the baseline in the README and the Docker guide', () => {
    const stated = `Node ${baseline?.major}.${baseline?.minor}`;
    expect(read('README.md')).toContain(`${stated} or newer`);
    expect(read('docs/docker.md')).toContain(`${stated} or newer`);
  });
});
