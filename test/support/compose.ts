import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { z } from 'zod';

const repoFile = (name: string) => new URL(`../../${name}`, import.meta.url);

/** The text of a file at the repository's root. */
export function readRepoFile(name: string): string {
  return readFileSync(repoFile(name), 'utf8');
}

/** A variable compose requires (`${NAME:?message}`) that the environment does not give. */
export class MissingVariableError extends Error {
  constructor(
    readonly variable: string,
    readonly hint: string,
  ) {
    super(`required variable ${variable} is missing a value: ${hint}`);
  }
}

/**
 * Compose's interpolation of one string, as `docker compose config` does it: `$$` is a dollar, `${NAME}` and `$NAME`
 * the variable (empty if unset), `${NAME:-default}` / `${NAME-default}` a default when unset or empty / unset,
 * `${NAME:?message}` / `${NAME?message}` an error when unset or empty / unset. Enough for our file, with no engine.
 */
export function interpolate(text: string, env: Readonly<Record<string, string | undefined>>): string {
  return text.replace(
    /\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?)([-?])([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g,
    (match, braced?: string, colon?: string, operator?: string, argument?: string, bare?: string) => {
      if (match === '$$') return '$';
      const name = braced ?? bare ?? '';
      const value = env[name];
      const missing = colon === ':' ? value === undefined || value === '' : value === undefined;
      if (operator === '-') return missing ? (argument ?? '') : (value ?? '');
      if (operator === '?') {
        if (missing) throw new MissingVariableError(name, argument ?? '');
        return value ?? '';
      }
      return value ?? '';
    },
  );
}

/** Every string of a parsed YAML document interpolated (compose interpolates values, never keys). */
function interpolateAll(node: unknown, env: Readonly<Record<string, string | undefined>>): unknown {
  if (typeof node === 'string') return interpolate(node, env);
  if (Array.isArray(node)) return node.map((item) => interpolateAll(item, env));
  if (typeof node === 'object' && node !== null) return Object.fromEntries(Object.entries(node).map(([key, value]) => [key, interpolateAll(value, env)]));
  return node;
}

const composeService = z.object({
  ports: z.array(z.string()).optional(),
  environment: z.record(z.string(), z.string()).optional(),
  healthcheck: z
    .object({ test: z.array(z.string()), interval: z.string(), timeout: z.string(), retries: z.int(), start_period: z.string().optional() })
    .optional(),
});
const composeFile = z.object({ services: z.record(z.string(), composeService) });
export type ComposeFile = z.infer<typeof composeFile>;

/** docker-compose.yml as compose would run it with `env` as the shell's environment and .env together. */
export function composeWith(env: Readonly<Record<string, string | undefined>>): ComposeFile {
  return composeFile.parse(interpolateAll(parse(readRepoFile('docker-compose.yml')), env));
}

/** The names the compose file takes from the environment. */
export function composeVariables(): string[] {
  const names = [...readRepoFile('docker-compose.yml').matchAll(/\$\{([A-Za-z_][A-Za-z0-9_]*)/g)].map((match) => match[1] ?? '');
  return [...new Set(names)].sort();
}

/** `NAME=value` lines of a dotenv file (comments and blank lines skipped; a commented-out `# NAME=` counts as named). */
export function dotenvNames(text: string): string[] {
  return [...text.matchAll(/^#?\s*([A-Za-z_][A-Za-z0-9_]*)=/gm)].map((match) => match[1] ?? '');
}
