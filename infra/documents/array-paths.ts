import type { JsonObject, JsonValue } from '../json-value.ts';
import { isJsonObject } from './semantics.ts';
import { IDENTIFIER_PATTERN, LIMITS } from './validation.ts';

/** In a collection's array-path registry: any path may hold arrays (the registry outgrew its cap). */
export const ANY_PATH = '*';

/** Every path (of at most LIMITS.pathSegments identifiers) at which the document holds an array. */
export function arrayPathsOf(document: JsonObject): Set<string> {
  const paths = new Set<string>();
  const walk = (value: JsonValue, path: string, depth: number): void => {
    if (Array.isArray(value)) {
      if (path) paths.add(path);
      // Elements are reached through the same path (MongoDB does not enter nested arrays; being generous is safe).
      for (const element of value) walk(element, path, depth);
    } else if (isJsonObject(value) && depth < LIMITS.pathSegments) {
      for (const [key, child] of Object.entries(value)) {
        if (!IDENTIFIER_PATTERN.test(key) || key.length > LIMITS.segmentLength) continue;
        walk(child, path ? `${path}.${key}` : key, depth + 1);
      }
    }
  };
  walk(document, '', 0);
  return paths;
}
