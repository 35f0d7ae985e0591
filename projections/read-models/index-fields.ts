import type { SortField } from '../../infra/documents/port.ts';

/** An index field in ascending order: read-model indexes list their fields with these, one line an index. */
export const asc = (field: string): SortField => ({ field, direction: 'asc' });

/** An index field in descending order (the newest first, for lists paged by a time). */
export const desc = (field: string): SortField => ({ field, direction: 'desc' });
