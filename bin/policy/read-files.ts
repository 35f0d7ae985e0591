import type { PolicyCliIo } from './io.ts';
import { parsePolicyFile, type PolicyFileResult } from './policy-file.ts';
import type { Problem } from './problems.ts';

export type TextResult = { ok: true; text: string } | { ok: false; problem: Problem };

/** A file's text, or a problem that says why it cannot be read; `-` reads standard input. */
export async function readText(io: PolicyCliIo, path: string): Promise<TextResult> {
  try {
    return { ok: true, text: path === '-' ? await io.readStdin() : await io.readText(path) };
  } catch (error) {
    return { ok: false, problem: { code: 'FILE_UNREADABLE', file: path, path: '', message: `cannot read it: ${describe(error)}` } };
  }
}

export async function readPolicyFile(io: PolicyCliIo, path: string): Promise<PolicyFileResult> {
  const read = await readText(io, path);
  return read.ok ? parsePolicyFile(path, read.text) : { ok: false, problems: [read.problem] };
}

function describe(error: unknown): string {
  const code = typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : '';
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EISDIR') return 'it is a directory';
  if (code === 'EACCES') return 'permission denied';
  return error instanceof Error ? error.message : String(error);
}
