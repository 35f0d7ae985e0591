/**
 * Typed errors of the DocumentStore port. Both adapters throw exactly these, so callers (projections, the GraphQL
 * layer) map them without knowing which adapter runs: the `Invalid*` errors are the caller's fault (a 4xx), the
 * others describe a state of the data.
 */

export interface ValidationIssue {
  /** Where in the input, dot-separated (`filter.and.0.field`); empty for the input itself. */
  path: string;
  message: string;
}

export abstract class DocumentStoreError extends Error {}

/** Input refused by validation; the message lists the issues found in it. */
abstract class RefusedInputError extends DocumentStoreError {
  constructor(
    message: string,
    readonly issues: readonly ValidationIssue[] = [],
  ) {
    super(issues.length > 0 ? `${message}: ${issues.map(formatIssue).join('; ')}` : message);
  }
}

/**
 * A filter, sort, page size, cursor, update, index spec or collection name was refused by validation. Nothing was
 * read or written.
 */
export class InvalidQueryError extends RefusedInputError {
  override readonly name: string = 'InvalidQueryError';
  readonly code: string = 'invalid_query';
}

/** A pagination cursor that this store did not issue for this sort (tampered, truncated, or from another query). */
export class InvalidCursorError extends InvalidQueryError {
  override readonly name: string = 'InvalidCursorError';
  override readonly code: string = 'invalid_cursor';
}

/** A document (or a value inside an update) that is not a storable JSON document. Nothing was written. */
export class InvalidDocumentError extends RefusedInputError {
  override readonly name = 'InvalidDocumentError';
  readonly code = 'invalid_document';
}

/** A write would give two documents the same key in a unique index. The write did not happen. */
export class DuplicateKeyError extends DocumentStoreError {
  override readonly name = 'DuplicateKeyError';
  readonly code = 'duplicate_key';
  constructor(
    readonly collection: string,
    /** The name the index was created with (`ensureIndex({ name })`). */
    readonly index: string,
    options?: { cause?: unknown },
  ) {
    super(`duplicate key in unique index '${index}' of collection '${collection}'`, options);
  }
}

/**
 * An update operator does not apply to what the document holds: `inc` on a non-number, `push`/`pull` on a
 * non-array, or `set`/`inc`/`push`/`pull` through a field that holds a scalar, null or an array. The document is unchanged
 * (for `updateMany`, see the port's note on atomicity).
 */
export class UpdateConflictError extends DocumentStoreError {
  override readonly name = 'UpdateConflictError';
  readonly code = 'update_conflict';
  constructor(
    readonly collection: string,
    message: string,
    /** The update path concerned, when the adapter knows it. */
    readonly path?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** `ensureIndex` with a name that exists with another definition, or a definition that exists under another name. */
export class IndexConflictError extends DocumentStoreError {
  override readonly name = 'IndexConflictError';
  readonly code = 'index_conflict';
  constructor(
    readonly collection: string,
    readonly index: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/**
 * A page would contain a document whose sort field holds an array or an object, or crosses an array. Sorting is
 * defined for scalars and missing fields only (see the port), so the store refuses rather than return an order
 * that differs between adapters.
 */
export class SortValueError extends DocumentStoreError {
  override readonly name = 'SortValueError';
  readonly code = 'unsortable_value';
  constructor(
    readonly collection: string,
    readonly field: string,
    readonly documentId: string,
  ) {
    super(`document '${documentId}' of '${collection}' holds an array or an object at sort field '${field}'`);
  }
}

/** The store is closed or cannot be reached. */
export class DocumentStoreUnavailableError extends DocumentStoreError {
  override readonly name = 'DocumentStoreUnavailableError';
  readonly code = 'unavailable';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

function formatIssue(issue: ValidationIssue): string {
  return issue.path ? `${issue.path}: ${issue.message}` : issue.message;
}
