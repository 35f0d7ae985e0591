import { appError, type AppError } from '../../domain/shared/app-error.ts';
import type { DocumentStore, Filter, FindOptions, JsonDocument, JsonScalar, SortField } from '../../infra/documents/port.ts';
import { InvalidCursorError } from '../../infra/documents/errors.ts';
import { findConnection } from '../graphql/connection.ts';
import { allOf } from '../graphql/filters.ts';

/** An equality on a top-level field of the read model, from a validated query parameter. */
export interface FieldEquals {
  field: string;
  value: JsonScalar;
}

export interface ListQuery {
  collection: string;
  /** The list's own scope (an org) and what the principal may see, AND-ed; null: every document. */
  scope: Filter | null;
  /**
   * The filters given, in the route's order of preference. The first goes to the store, where each filter has an
   * index with the list's order, so the page is a seek; any further ones are checked per document within a bounded
   * scan, so combining filters never makes one page read more than that bound.
   */
  filters: readonly FieldEquals[];
  sort: readonly SortField[];
  limit: number;
  after: string | null;
  /** What the policy lets the principal read, decided per document (GraphQL's scoping, api/list-scope.ts). */
  admit?: (document: JsonDocument) => Promise<boolean>;
}

export interface ListPage {
  items: JsonDocument[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
}

/** Documents examined at most for one page when documents are checked one by one. */
const MAX_SCAN = 1000;

/**
 * One page of a REST list, over the store's keyset cursors (GraphQL's connections: each item comes exactly once
 * across the pages, whatever is written meanwhile). When documents are checked one by one, the page may hold fewer
 * than `limit` items with `hasNextPage` true: the scan stopped at its bound, and `endCursor` continues after it.
 */
export async function listPage(docs: DocumentStore, query: ListQuery): Promise<ListPage | AppError> {
  const [stored, ...checked] = query.filters;
  const { admit } = query;
  const needsCheck = checked.length > 0 || admit !== undefined;
  try {
    const connection = await findConnection(docs, {
      collection: query.collection,
      filter: allOf(query.scope, stored ? { field: stored.field, op: 'eq', value: stored.value } : null),
      sort: query.sort,
      first: query.limit,
      after: query.after,
      maxScan: MAX_SCAN,
      ...(needsCheck
        ? {
            admit: async (document: JsonDocument) =>
              checked.every(({ field, value }) => document[field] === value) && (admit === undefined || (await admit(document))),
          }
        : {}),
    });
    return { items: connection.edges.map((edge) => edge.node), pageInfo: connection.pageInfo };
  } catch (error) {
    return invalidCursor(error);
  }
}

/**
 * One page of a list the store filters as a whole (every filter in one query): the store's own page and cursor,
 * with the same answer as `listPage` for a cursor it did not issue.
 */
export async function storePage(docs: DocumentStore, collection: string, options: FindOptions): Promise<ListPage | AppError> {
  try {
    const page = await docs.find(collection, options);
    return { items: page.items, pageInfo: { hasNextPage: page.hasMore, endCursor: page.endCursor } };
  } catch (error) {
    return invalidCursor(error);
  }
}

/** A cursor the store refused is the caller's error (400 INVALID_CURSOR); anything else is thrown on. */
function invalidCursor(error: unknown): AppError {
  if (error instanceof InvalidCursorError) {
    return appError('invalid', 'INVALID_CURSOR', 'the cursor was not issued for this list (or was altered)', { issues: error.issues });
  }
  throw error;
}

/** The equalities of the given query parameters, in the order named. */
export function equalities<Q extends Record<string, unknown>>(query: Q, fields: ReadonlyArray<keyof Q & string>): FieldEquals[] {
  return fields.flatMap((field) => {
    const value = query[field];
    return value === undefined || value === null ? [] : [{ field, value: value as JsonScalar }];
  });
}

/** `scope` AND an equality for each of the given query parameters, as one store filter. */
export function equalityFilter<Q extends Record<string, unknown>>(scope: Filter, query: Q, fields: ReadonlyArray<keyof Q & string>): Filter {
  return { and: [scope, ...equalities(query, fields).map(({ field, value }) => ({ field, op: 'eq' as const, value }))] };
}

/** The given query parameters as a read's `command.data` for the policy: each one, null when not given. */
export function filtersRead<Q extends Record<string, unknown>>(query: Q, fields: ReadonlyArray<keyof Q & string>): Record<string, unknown> {
  return Object.fromEntries(fields.map((field) => [field, query[field] ?? null]));
}
