import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Problem } from './problems.ts';

/** How a policy test file is named, so a directory can be searched for them (like `opa test <dir>`). */
export const TEST_FILE_SUFFIXES = ['.policy-test.yaml', '.policy-test.yml', '.policy-test.json'] as const;

export type FoundTestFiles = { ok: true; files: string[] } | { ok: false; problems: Problem[] };

const isTestFile = (name: string) => TEST_FILE_SUFFIXES.some((suffix) => name.endsWith(suffix));

/**
 * The test files to run: each argument that is a file (whatever its name), and every `*.policy-test.{yaml,yml,json}`
 * under each argument that is a directory (recursively, in name order, skipping dot directories and node_modules).
 * No argument: the test files next to the policy, named after it (`desk.yaml` or `desk.policy.yaml` ->
 * `desk.policy-test.yaml`).
 */
export async function findTestFiles(policyFile: string, args: readonly string[]): Promise<FoundTestFiles> {
  if (args.length === 0) {
    const candidates = siblingsOf(policyFile);
    const files: string[] = [];
    for (const candidate of candidates) if ((await kindOf(candidate)) === 'file') files.push(candidate);
    if (files.length > 0) return { ok: true, files };
    return {
      ok: false,
      problems: [
        {
          code: 'NO_TEST_FILES',
          file: policyFile,
          path: '',
          message: `no test files given, and none next to the policy (looked for ${candidates.join(', ')})`,
        },
      ],
    };
  }
  const files: string[] = [];
  const problems: Problem[] = [];
  for (const arg of args) {
    const kind = await kindOf(arg);
    if (kind === 'file') files.push(arg);
    else if (kind === 'directory') {
      const found = await walk(arg);
      if (found.length === 0)
        problems.push({ code: 'NO_TEST_FILES', file: arg, path: '', message: `no test files (*${TEST_FILE_SUFFIXES.join(', *')}) under this directory` });
      files.push(...found);
    } else problems.push({ code: 'FILE_UNREADABLE', file: arg, path: '', message: 'no such file or directory' });
  }
  return problems.length > 0 ? { ok: false, problems } : { ok: true, files: [...new Set(files)] };
}

/** `examples/desk.yaml` -> `examples/desk.policy-test.yaml` (and .yml, .json). */
export function siblingsOf(policyFile: string): string[] {
  const base = policyFile.replace(/\.(ya?ml|json)$/i, '').replace(/\.policy$/, '');
  return TEST_FILE_SUFFIXES.map((suffix) => `${base}${suffix}`);
}

async function kindOf(path: string): Promise<'file' | 'directory' | null> {
  try {
    const info = await stat(path);
    return info.isDirectory() ? 'directory' : info.isFile() ? 'file' : null;
  } catch {
    return null;
  }
}

async function walk(directory: string): Promise<string[]> {
  const entries = (await readdir(directory, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const found: string[] = [];
  for (const entry of entries) {
    const path = join(directory, entry.name);
    if (entry.isDirectory()) {
      if (!entry.name.startsWith('.') && entry.name !== 'node_modules') found.push(...(await walk(path)));
    } else if (entry.isFile() && isTestFile(entry.name)) found.push(path);
  }
  return found;
}
