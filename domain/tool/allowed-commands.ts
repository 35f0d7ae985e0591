import type { ToolEndpoint } from './spec.ts';

/*
 * The programs tools may start on the platform's machine (executables, stdio MCP servers) are the operator's choice,
 * not an org's: a started program runs as the platform's user, beside the platform's data, so a tenant who could name
 * any program (`/bin/sh -c ...`) could read every org's data. The operator lists them (TOOL_COMMANDS); none by default.
 * An entry is an absolute path (that program) or a directory ending in `/` (every program below it).
 */

/** The program an endpoint would start, with the field of the spec that names it; null for endpoints that start none. */
export function startedCommandOf(endpoint: ToolEndpoint): { command: string; field: string } | null {
  if (endpoint.kind === 'executable') return { command: endpoint.command, field: 'spec.endpoint.command' };
  if (endpoint.kind === 'mcp' && endpoint.server.transport === 'stdio') return { command: endpoint.server.command, field: 'spec.endpoint.server.command' };
  return null;
}

/** An absolute path with no `.`, `..` or empty segment, so a prefix test cannot be walked out of. */
function isPlainAbsolute(path: string): boolean {
  if (!path.startsWith('/')) return false;
  const segments = path.slice(1).split('/');
  return segments.every((segment, index) => (segment !== '' || index === segments.length - 1) && segment !== '.' && segment !== '..');
}

export function isCommandAllowed(command: string, allowed: readonly string[]): boolean {
  if (!isPlainAbsolute(command) || command.endsWith('/')) return false;
  return allowed.some((entry) => isPlainAbsolute(entry) && (entry.endsWith('/') ? command.startsWith(entry) : command === entry));
}
