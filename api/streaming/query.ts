import { z } from 'zod';
import { appError, isAppError, type AppError } from '../../domain/shared/app-error.ts';
import type { PlatformEventRegistry } from '../../domain/events/catalog.ts';
import { uuidSchema } from '../../domain/shared/ids.ts';
import { STREAM_CATEGORIES, isStreamCategory } from '../../domain/events/stream-categories.ts';
import { fieldIssue, issuesSummary, type FieldIssue } from '../../domain/shared/field-issues.ts';

const MAX_POSITION = 2n ** 64n - 1n;
const positionSchema = z
  .string()
  .regex(/^\d{1,20}$/, 'a global position: a decimal integer')
  // zod runs every check: this one must not throw on what the regex refused.
  .refine((value) => !/^\d{1,20}$/.test(value) || BigInt(value) <= MAX_POSITION, 'a global position fits in 64 bits');

/** A parameter given once, repeated (`?type=A&type=B`) or as a comma list (`?type=A,B`): deduplicated, order kept. */
function listOf<T extends z.ZodType<string, string>>(item: T, max: number) {
  return z
    .union([z.string(), z.array(z.string())])
    .transform((value) => [
      ...new Set(
        (Array.isArray(value) ? value : [value])
          .flatMap((part) => part.split(','))
          .map((part) => part.trim())
          .filter((part) => part.length > 0),
      ),
    ])
    .pipe(z.array(item).min(1, 'give at least one value').max(max, `at most ${max} values`));
}

const categorySchema = z.string().regex(/^[A-Za-z][A-Za-z0-9_]{0,63}$/, 'a stream category: the prefix of a stream id before its first "-"');
const typeSchema = z.string().regex(/^[A-Za-z][A-Za-z0-9_]{0,127}$/, 'an event type such as RoleGranted');

export const eventStreamQuery = z.strictObject({
  orgId: listOf(uuidSchema, 100).optional(),
  category: listOf(categorySchema, 50).optional(),
  type: listOf(typeSchema, 100).optional(),
  after: positionSchema.optional(),
});

/** How the query string is documented (the runtime schema above accepts each list as a repeated or a comma list). */
export const eventStreamQueryDoc = {
  orgId: z.string().optional().describe('only events of these orgs (org ids, repeated or comma-separated); a principal that may not read one of them gets 403'),
  category: z
    .string()
    .optional()
    .describe(`only events of streams of these categories (${STREAM_CATEGORIES.join(', ')}; repeated or comma-separated)`),
  type: z.string().optional().describe('only events of these types (e.g. RoleGranted; repeated or comma-separated)'),
  after: z
    .string()
    .optional()
    .describe('resume after this global position (exclusive); the Last-Event-ID header, when present, wins (EventSource reconnects with it)'),
};

export interface EventStreamFilters {
  orgIds: ReadonlySet<string> | null;
  categories: ReadonlySet<string> | null;
  types: ReadonlySet<string> | null;
  /** Exclusive; undefined = from the first event of the log. */
  after: bigint | undefined;
}

/**
 * The query string and the Last-Event-ID header, validated: 400 VALIDATION_FAILED with field paths (and the
 * parameters and categories there are), 400 INVALID_HEADER for a malformed Last-Event-ID. Unknown parameters,
 * categories and event types are refused: a typo would otherwise silently match nothing.
 */
export function parseEventStreamRequest(
  query: unknown,
  lastEventId: string | string[] | undefined,
  registry: PlatformEventRegistry,
): EventStreamFilters | AppError {
  const parsed = eventStreamQuery.safeParse(query ?? {});
  if (!parsed.success) return invalidQuery(parsed.error.issues.flatMap(issuesOf));
  const { orgId, category, type, after } = parsed.data;

  // Names the registry and the category list do not know would match nothing, forever: refused, with what is known.
  const unknown = [
    ...(category ?? []).flatMap((name, index) =>
      isStreamCategory(name) ? [] : [{ path: ['category', String(index)], message: `unknown stream category '${name}'` }],
    ),
    ...(type ?? []).flatMap((name, index) => (registry.has(name) ? [] : [{ path: ['type', String(index)], message: `unknown event type '${name}'` }])),
  ];
  if (unknown.length > 0) return invalidQuery(unknown);

  const resume = headerPosition(lastEventId);
  if (isAppError(resume)) return resume;
  const from = resume ?? (after === undefined ? undefined : BigInt(after));
  return {
    orgIds: orgId ? new Set(orgId) : null,
    categories: category ? new Set(category) : null,
    types: type ? new Set(type) : null,
    after: from,
  };
}

const PARAMETERS = Object.keys(eventStreamQuery.shape);

/** A zod issue as the caller's field paths; an unknown parameter is one issue per name, with the ones there are. */
function issuesOf(issue: z.core.$ZodIssue): FieldIssue[] {
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((name) => ({ path: [name], message: `unknown parameter; the stream takes ${PARAMETERS.join(', ')}` }));
  }
  return [fieldIssue(issue)];
}

/** 400 VALIDATION_FAILED naming the first problems, with what the stream knows to choose from. */
function invalidQuery(issues: FieldIssue[]): AppError {
  const wantsCategories = issues.some((issue) => issue.path[0] === 'category');
  return appError('invalid', 'VALIDATION_FAILED', issuesSummary('invalid query string', issues), {
    issues,
    parameters: PARAMETERS,
    ...(wantsCategories ? { categories: [...STREAM_CATEGORIES] } : {}),
  });
}

function headerPosition(value: string | string[] | undefined): bigint | undefined | AppError {
  const header = Array.isArray(value) ? value[0] : value;
  if (header === undefined || header.trim() === '') return undefined;
  const parsed = positionSchema.safeParse(header.trim());
  if (!parsed.success) {
    return appError('invalid', 'INVALID_HEADER', 'Last-Event-ID must be the id of an event this stream sent (a global position)', {
      header: 'Last-Event-ID',
    });
  }
  return BigInt(parsed.data);
}
