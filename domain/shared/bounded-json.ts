import { z } from 'zod';
import type { JsonObject, JsonValue } from './json-value.ts';

export interface JsonLimits {
  /** Characters of the value as `JSON.stringify` writes it. */
  maxChars: number;
  /** Nesting of arrays and objects; a scalar is depth 0, `{"a": 1}` depth 1. */
  maxDepth: number;
  /** Elements of one array, or entries of one object. */
  maxEntries: number;
}

class JsonProblem extends Error {
  constructor(problem: string, where: string) {
    // `where` is a path below the value, e.g. `.sections[2].title`; empty at the value itself.
    super(where === '' ? problem : `${problem} at ${where.startsWith('.') ? where.slice(1) : where}`);
  }
}

/**
 * Why `value` is not a JSON value within `limits`, or null when it is. Walks the value once, counting its serialized
 * size exactly as `JSON.stringify` would and stopping at the first limit passed, so an oversized value costs no more
 * than the limit to refuse. Nothing is copied: a key such as `__proto__` stays an ordinary own property.
 */
export function jsonProblem(value: unknown, limits: JsonLimits): string | null {
  let size = 0;
  const count = (characters: number) => {
    size += characters;
    if (size > limits.maxChars) throw new JsonProblem(`larger than ${limits.maxChars} characters as JSON`, '');
  };
  const walk = (node: unknown, depth: number, where: string): void => {
    switch (typeof node) {
      case 'string':
        count(JSON.stringify(node).length);
        return;
      case 'boolean':
        count(node ? 4 : 5);
        return;
      case 'number':
        if (!Number.isFinite(node)) throw new JsonProblem('not a finite number', where);
        count(JSON.stringify(node).length);
        return;
      case 'object': {
        if (node === null) {
          count(4);
          return;
        }
        if (depth >= limits.maxDepth) throw new JsonProblem(`nested deeper than ${limits.maxDepth} levels`, where);
        if (Array.isArray(node)) {
          if (node.length > limits.maxEntries) throw new JsonProblem(`an array of more than ${limits.maxEntries} elements`, where);
          count(2 + Math.max(0, node.length - 1));
          for (let index = 0; index < node.length; index += 1) {
            if (!Object.hasOwn(node, index)) throw new JsonProblem('a hole in an array', `${where}[${index}]`);
            walk(node[index], depth + 1, `${where}[${index}]`);
          }
          return;
        }
        const prototype: unknown = Object.getPrototypeOf(node);
        if (prototype !== Object.prototype && prototype !== null) throw new JsonProblem('not a plain object', where);
        const record = node as Readonly<Record<string, unknown>>;
        const keys = Object.keys(record);
        if (keys.length > limits.maxEntries) throw new JsonProblem(`an object of more than ${limits.maxEntries} entries`, where);
        count(2 + Math.max(0, keys.length - 1));
        for (const key of keys) {
          count(JSON.stringify(key).length + 1);
          walk(record[key], depth + 1, `${where}.${key}`);
        }
        return;
      }
      default:
        throw new JsonProblem('not a JSON value', where);
    }
  };
  try {
    walk(value, 0, '');
    return null;
  } catch (error) {
    if (error instanceof JsonProblem) return error.message;
    throw error;
  }
}

/** Any JSON value within `limits` (`null` included; a missing value is not JSON). Passed through as given. */
export function boundedJsonSchema(limits: JsonLimits) {
  return z.custom<JsonValue>().superRefine((value, context) => {
    if (value === undefined) {
      context.addIssue({ code: 'custom', message: 'required: a JSON value' });
      return;
    }
    const problem = jsonProblem(value, limits);
    if (problem !== null) context.addIssue({ code: 'custom', message: problem });
  });
}

/** A JSON object (not an array, not a scalar) within `limits`. */
export function boundedJsonObjectSchema(limits: JsonLimits) {
  return z.custom<JsonObject>().superRefine((value, context) => {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      context.addIssue({ code: 'custom', message: 'a JSON object' });
      return;
    }
    const problem = jsonProblem(value, limits);
    if (problem !== null) context.addIssue({ code: 'custom', message: problem });
  });
}
