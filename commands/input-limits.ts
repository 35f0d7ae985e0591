import { appError, type AppError } from '../domain/shared/app-error.ts';
import { isWellFormed } from '../infra/documents/validation.ts';
import { issuesSummary } from '../domain/shared/field-issues.ts';

/**
 * What any command may carry, whatever its schema says: every string (values and object keys alike) is well-formed
 * Unicode without U+0000 and bounded, objects and arrays nest a bounded number of levels, and the whole is bounded.
 * Checked once, in the pipeline every command passes through (HTTP, the agents' bus, `agencygrid apply`, the
 * platform's own processes), before its schema runs, so no accepted command can produce an event a read model cannot
 * store (a lone surrogate stops a projection), and no hostile nesting reaches a recursive validator.
 */
export interface InputLimits {
  /** Nesting of objects and arrays; `{"a": 1}` is depth 1. */
  maxDepth: number;
  /** UTF-16 code units of one string value. */
  maxStringLength: number;
  /** UTF-16 code units of one object key. */
  maxKeyLength: number;
  /** UTF-8 bytes of the whole value as JSON (counted without escapes, so a little under what JSON.stringify writes). */
  maxBytes: number;
}

export const DEFAULT_INPUT_LIMITS: InputLimits = { maxDepth: 64, maxStringLength: 65_536, maxKeyLength: 256, maxBytes: 1024 * 1024 };

export interface InputIssue {
  path: string[];
  message: string;
}

class Refused extends Error {
  constructor(readonly issue: InputIssue) {
    super(issue.message);
  }
}

/**
 * The first problem found in `value` under `limits`, naming its path, or null. Stops at the first one: a hostile
 * value costs at most the limits to refuse. Depth is checked before descending, so nesting cannot exhaust the stack.
 * `undefined` (an absent optional field) is allowed; anything JSON cannot carry is not.
 */
export function inputProblem(value: unknown, limits: InputLimits): InputIssue | null {
  // One path stack, pushed and popped as the walk descends; copied only into a refusal.
  const path: string[] = [];
  const refuse = (message: string): never => {
    throw new Refused({ path: [...path], message });
  };
  let bytes = 0;
  const count = (size: number) => {
    bytes += size;
    if (bytes > limits.maxBytes) refuse(`the request is larger than ${limits.maxBytes} bytes`);
  };
  const text = (string: string, what: 'string' | 'key', max: number) => {
    if (string.length > max) refuse(`a ${what} is at most ${max} characters (this one: ${string.length})`);
    if (!isWellFormed(string)) refuse(`a ${what} must be well-formed Unicode (no lone surrogates)`);
    if (string.includes('\u0000')) refuse(`a ${what} must not contain U+0000`);
    count(Buffer.byteLength(string, 'utf8') + 2);
  };
  const walk = (node: unknown, depth: number): void => {
    switch (typeof node) {
      case 'undefined':
        return;
      case 'string':
        text(node, 'string', limits.maxStringLength);
        return;
      case 'boolean':
        count(5);
        return;
      case 'number':
        if (!Number.isFinite(node)) refuse('a number must be finite');
        count(24);
        return;
      case 'object': {
        if (node === null) {
          count(4);
          return;
        }
        if (depth >= limits.maxDepth) refuse(`objects and arrays nest at most ${limits.maxDepth} levels`);
        if (Array.isArray(node)) {
          count(2 + node.length);
          for (let index = 0; index < node.length; index += 1) {
            path.push(String(index));
            walk(node[index], depth + 1);
            path.pop();
          }
          return;
        }
        const record = node as Record<string, unknown>;
        const keys = Object.keys(record);
        count(2 + keys.length);
        for (const key of keys) {
          // A key that cannot be echoed back (too long, not well-formed) is named `(key)` in the refusal.
          path.push(key.length > limits.maxKeyLength || !isWellFormed(key) ? '(key)' : key);
          text(key, 'key', limits.maxKeyLength);
          walk(record[key], depth + 1);
          path.pop();
        }
        return;
      }
      default:
        refuse(`not a JSON value (${typeof node})`);
    }
  };
  try {
    walk(value, 0);
    return null;
  } catch (error) {
    if (error instanceof Refused) return error.issue;
    throw error;
  }
}

/** The command's input problem as the uniform 400 VALIDATION_FAILED, paths relative to the client's fields. */
export function refuseInput(value: unknown, limits: InputLimits, prefix: readonly string[] = []): AppError | null {
  const issue = inputProblem(value, limits);
  if (issue === null) return null;
  const issues = [{ path: [...prefix, ...issue.path], message: issue.message }];
  return appError('invalid', 'VALIDATION_FAILED', issuesSummary('the request is invalid', issues), { issues });
}
