/**
 * The category of every stream the platform writes: the prefix of its id before the first `-` (`roster-<orgId>`).
 * Readers filter the log by them (`GET /events/stream?category=`, the GraphQL `events` subscription), so a name not
 * here is a typo, refused rather than silently matching nothing. test/unit/stream-categories.complete.spec.ts holds
 * every `...Stream` id function of the domain to this list.
 */
export const STREAM_CATEGORIES = [
  'org',
  'roster',
  'policy',
  'audit',
  'subject',
  'apikey',
  'command',
  'unique',
  'job',
  'assignment',
  'contract',
  'task',
  'timer',
  'projection',
  'builtinpolicy',
  'workflow',
  'tool',
  'toolcall',
] as const;

export type StreamCategory = (typeof STREAM_CATEGORIES)[number];

export function isStreamCategory(name: string): name is StreamCategory {
  return (STREAM_CATEGORIES as readonly string[]).includes(name);
}
