import type { DocumentStore, Filter, JsonDocument, JsonScalar, SortField } from '../../infra/documents/port.ts';
import { LIMITS, encodeCursor, normalizeSort } from '../../infra/documents/validation.ts';
import type { PageArgs } from './filters.ts';
import type { JsonValue } from '../../domain/shared/json-value.ts';

export interface Edge {
  cursor: string;
  node: JsonDocument;
}

export interface Connection {
  edges: Edge[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
}

export interface ConnectionQuery extends PageArgs {
  collection: string;
  filter: Filter | null;
  sort: readonly SortField[];
  /**
   * Decides per document whether it belongs in the answer (the principal may read it, an expiry has not passed):
   * documents it refuses are skipped and more are fetched to fill the page.
   */
  admit?: (document: JsonDocument) => Promise<boolean> | boolean;
  /** Documents examined at most for one page when `admit` refuses many. Default 1000. */
  maxScan?: number;
}

/**
 * A Relay connection over DocumentStore.find's keyset cursors. Every edge carries the store's cursor of its own
 * position (the same encoding the store issues as `endCursor`), so `after` may be any edge's cursor.
 *
 * With `admit`, the page is filled by over-fetching: chunks are read after the cursor until `first + 1` documents are
 * admitted (the extra one only tells whether a next page exists) or `maxScan` documents were examined. In the second
 * case the page may hold fewer than `first` edges while `hasNextPage` is true; `endCursor` is then the position of the
 * last document examined, so the next page continues the scan instead of repeating it. Each document is returned
 * exactly once across the pages of a list (keyset: inserts and deletes meanwhile cause no repeats or skips).
 */
export async function findConnection(docs: DocumentStore, query: ConnectionQuery): Promise<Connection> {
  const { collection, filter, sort, first, admit } = query;
  const cursorOf = cursorEncoder(collection, sort);
  if (!admit) {
    const page = await docs.find(collection, { filter, sort, limit: first, after: query.after });
    return {
      edges: page.items.map((node) => ({ cursor: cursorOf(node), node })),
      pageInfo: { hasNextPage: page.hasMore, endCursor: page.endCursor },
    };
  }

  const maxScan = query.maxScan ?? 1000;
  // Optimistic first chunk (usually nearly everything is admitted: each verdict may be a policy decision), doubling
  // while documents are refused.
  let chunk = first + 1;
  const admitted: JsonDocument[] = [];
  let after = query.after;
  let scanned = 0;
  let lastScanned: JsonDocument | undefined;
  let more = true;
  while (admitted.length <= first && more && scanned < maxScan) {
    const page = await docs.find(collection, { filter, sort, limit: Math.min(chunk, maxScan - scanned), after });
    const verdicts = await Promise.all(page.items.map((item) => admit(item)));
    for (const [index, item] of page.items.entries()) {
      scanned += 1;
      lastScanned = item;
      if (verdicts[index]) admitted.push(item);
      if (admitted.length > first) break;
    }
    more = page.hasMore || admitted.length > first;
    after = page.endCursor;
    chunk = Math.min(LIMITS.pageSize, chunk * 2);
    if (page.items.length === 0) more = false;
  }
  const edges = admitted.slice(0, first).map((node) => ({ cursor: cursorOf(node), node }));
  if (admitted.length > first) {
    return { edges, pageInfo: { hasNextPage: true, endCursor: edges.at(-1)?.cursor ?? null } };
  }
  if (more && lastScanned) {
    // The scan budget ran out before the page filled: continue after the last document examined.
    return { edges, pageInfo: { hasNextPage: true, endCursor: cursorOf(lastScanned) } };
  }
  return { edges, pageInfo: { hasNextPage: false, endCursor: edges.at(-1)?.cursor ?? null } };
}

/** Every document matching, in order, up to `max` (for small per-org sets such as groups). */
export async function findAll(docs: DocumentStore, collection: string, filter: Filter, sort: readonly SortField[], max = 5000): Promise<JsonDocument[]> {
  const items: JsonDocument[] = [];
  let after: string | null = null;
  for (;;) {
    const page = await docs.find(collection, { filter, sort, limit: Math.min(LIMITS.pageSize, max - items.length), after });
    items.push(...page.items);
    if (!page.hasMore || items.length >= max || page.endCursor === null) return items;
    after = page.endCursor;
  }
}

function cursorEncoder(collection: string, sort: readonly SortField[]): (document: JsonDocument) => string {
  const normalized = normalizeSort(sort);
  return (document) => encodeCursor(collection, normalized, { values: normalized.keys.map((key) => scalarAt(document, key.field)), id: document._id });
}

/** The scalar at a dotted path (missing = null, as the store's cursors have it). */
function scalarAt(document: JsonDocument, path: string): JsonScalar {
  let current: JsonValue | undefined = document;
  for (const segment of path.split('.')) {
    if (current === null || typeof current !== 'object' || Array.isArray(current)) return null;
    current = Object.hasOwn(current, segment) ? current[segment] : undefined;
  }
  if (current === undefined || (typeof current === 'object' && current !== null)) return null;
  return current;
}
