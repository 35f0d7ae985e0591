import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { findTestFiles, siblingsOf } from '../../bin/policy/discover.ts';

/** Which test files `policy test` runs: those named, those under a directory, or those next to the policy. */
describe('policy test file discovery', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'agencygrid-policy-discover-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const touch = (...parts: string[]) => {
    const path = join(dir, ...parts);
    mkdirSync(join(path, '..'), { recursive: true });
    writeFileSync(path, 'cases: []\n');
    return path;
  };

  it('finds the test files named after the policy, next to it, when none are given', async () => {
    const policy = touch('desk.yaml');
    const tests = touch('desk.policy-test.yaml');
    touch('other.policy-test.yaml');
    expect(await findTestFiles(policy, [])).toEqual({ ok: true, files: [tests] });
    expect(siblingsOf('examples/demo/demo-lab.policy.yaml')).toEqual([
      'examples/demo/demo-lab.policy-test.yaml',
      'examples/demo/demo-lab.policy-test.yml',
      'examples/demo/demo-lab.policy-test.json',
    ]);
  });

  it('says where it looked when there are none', async () => {
    const found = await findTestFiles(touch('desk.yaml'), []);
    expect(found.ok).toBe(false);
    if (!found.ok) expect(found.problems[0]).toMatchObject({ code: 'NO_TEST_FILES', message: expect.stringContaining('desk.policy-test.yaml') });
  });

  it('searches directories recursively in name order, skipping dot directories and node_modules; takes named files as they are', async () => {
    const b = touch('suite', 'b.policy-test.yaml');
    const a = touch('suite', 'nested', 'a.policy-test.json');
    touch('suite', '.hidden', 'c.policy-test.yaml');
    touch('suite', 'node_modules', 'd.policy-test.yaml');
    touch('suite', 'notes.yaml');
    const named = touch('anything.yaml');
    expect(await findTestFiles('policy.yaml', [join(dir, 'suite'), named, b])).toEqual({ ok: true, files: [b, a, named] });
  });

  it('reports a path that does not exist and a directory without test files', async () => {
    mkdirSync(join(dir, 'empty'));
    const found = await findTestFiles('policy.yaml', [join(dir, 'missing.yaml'), join(dir, 'empty')]);
    expect(found.ok ? [] : found.problems.map((problem) => problem.code)).toEqual(['FILE_UNREADABLE', 'NO_TEST_FILES']);
  });
});
