import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';
import type { PolicyRule } from '../../domain/policy/types.ts';
import type { PolicyCliIo } from '../../bin/policy/io.ts';
import { parsePolicyFile, type LoadedPolicy } from '../../bin/policy/policy-file.ts';
import type { Problem } from '../../bin/policy/problems.ts';
import { parseTestFile, type TestFile } from '../../bin/policy/test-file.ts';
import { capturedOutput } from './captured-output.ts';

/** Fixtures for `agencygrid policy test|eval`, in-process. */
export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

export function exampleText(path: string): string {
  return readFileSync(`${repoRoot}${path}`, 'utf8');
}

export function rule(id: string, effect: 'permit' | 'forbid', actions: string[], extra: Partial<PolicyRule> = {}): PolicyRule {
  return { id, effect, actions, reason: `${id} reason`, ...extra };
}

/** A policy from YAML text (or rules, written as YAML), which must be valid. */
export function policyFrom(source: string | readonly PolicyRule[], file = 'policy.yaml'): LoadedPolicy {
  const loaded = parsePolicyFile(file, typeof source === 'string' ? source : stringify(source));
  if (!loaded.ok) throw new Error(`invalid policy: ${JSON.stringify(loaded.problems)}`);
  return loaded.policy;
}

/** A test file (YAML text, or a document written as YAML), which must be valid. */
export function testsFrom(policy: LoadedPolicy, source: string | object, now: Date = new Date(), file = 'cases.policy-test.yaml'): TestFile {
  const parsed = parseTestFile(file, typeof source === 'string' ? source : stringify(source), policy, now.toISOString());
  if (!parsed.ok) throw new Error(`invalid tests: ${JSON.stringify(parsed.problems)}`);
  return parsed.tests;
}

/** The problems of a test file that must be invalid. */
export function testProblems(policy: LoadedPolicy, source: string | object, file = 'cases.policy-test.yaml'): Problem[] {
  const parsed = parseTestFile(file, typeof source === 'string' ? source : stringify(source), policy, new Date().toISOString());
  if (parsed.ok) throw new Error('expected the test file to be invalid');
  return parsed.problems;
}

export interface MemoryIo extends PolicyCliIo {
  stdout(): string;
  stderr(): string;
}

/** Files from memory (or else from disk), stdin from memory, output captured, time from the given clock. */
export function memoryIo(files: Readonly<Record<string, string>> = {}, options: { stdin?: string; now?: () => Date } = {}): MemoryIo {
  return {
    ...capturedOutput(),
    readText: async (path) => {
      return files[path] ?? readFile(path, 'utf8');
    },
    readStdin: async () => options.stdin ?? '',
    now: options.now ?? (() => new Date()),
  };
}
