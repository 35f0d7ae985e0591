import type { DocumentStore, IndexSpec, SortField } from '../../infra/documents/port.ts';

/** An index field in ascending order: read-model indexes list their fields with these, one line an index. */
export const asc = (field: string): SortField => ({ field, direction: 'asc' });

/** An index field in descending order (the newest first, for lists paged by a time). */
export const desc = (field: string): SortField => ({ field, direction: 'desc' });

/** A read model's index, declared in a list: its name, then its fields in order. */
export const index = (name: string, ...fields: SortField[]): IndexSpec => ({ name, fields });

/** Ensures each index of a collection (ensuring one that exists changes nothing, so this runs at every start). */
export async function ensureIndexes(docs: DocumentStore, collection: string, indexes: readonly IndexSpec[]): Promise<void> {
  for (const spec of indexes) await docs.ensureIndex(collection, spec);
}
