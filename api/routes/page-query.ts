import { z } from 'zod';

/** The paging fields of a list route's query string: order by a time, a page size and the cursor of the last page. */
export function pageQueryFields(orderedBy: string) {
  return {
    order: z.enum(['newest', 'oldest']).default('newest').describe(`by ${orderedBy} (default newest first)`),
    limit: z.coerce.number().int().min(1).max(100).default(20).describe('at most this many (1-100, default 20)'),
    after: z
      .string()
      .max(2048)
      .regex(/^[A-Za-z0-9_-]+$/, 'not a cursor this API issued')
      .optional()
      .describe('pageInfo.endCursor of the previous page (same filters and order)'),
  };
}

/** A page's `pageInfo` in a list's answer. */
export const pageInfoReply = z.object({ hasNextPage: z.boolean(), endCursor: z.string().nullable().describe('`after` of the next page') });

/** A validated page query (the fields above). */
export interface PageQuery {
  order: 'newest' | 'oldest';
  limit: number;
  after?: string | undefined;
}

/** The store's sort, page size and cursor for a page query ordered by `field`. */
export function pageWindow(query: PageQuery, field: string): { sort: [{ field: string; direction: 'asc' | 'desc' }]; limit: number; after: string | null } {
  return { sort: [{ field, direction: query.order === 'newest' ? 'desc' : 'asc' }], limit: query.limit, after: query.after ?? null };
}
