import type { DocumentStore, Filter, FindOptions, IndexSpec, JsonDocument, Page, UpdateOps } from '../../infra/documents/port.ts';

/**
 * A document store that passes every call to a real one: a test's wrapper extends it and overrides only the calls it
 * watches or holds back (wrapping, not mocking: every call still reaches the real store).
 */
export class ForwardingDocumentStore implements DocumentStore {
  constructor(protected readonly inner: DocumentStore) {}

  upsert(collection: string, document: JsonDocument): Promise<void> {
    return this.inner.upsert(collection, document);
  }
  update(collection: string, id: string, ops: UpdateOps): Promise<boolean> {
    return this.inner.update(collection, id, ops);
  }
  updateMany(collection: string, filter: Filter, ops: UpdateOps): Promise<number> {
    return this.inner.updateMany(collection, filter, ops);
  }
  delete(collection: string, id: string): Promise<boolean> {
    return this.inner.delete(collection, id);
  }
  deleteMany(collection: string, filter: Filter): Promise<number> {
    return this.inner.deleteMany(collection, filter);
  }
  get(collection: string, id: string): Promise<JsonDocument | undefined> {
    return this.inner.get(collection, id);
  }
  getMany(collection: string, ids: readonly string[]): Promise<Array<JsonDocument | undefined>> {
    return this.inner.getMany(collection, ids);
  }
  find(collection: string, options: FindOptions): Promise<Page> {
    return this.inner.find(collection, options);
  }
  count(collection: string, filter?: Filter | null): Promise<number> {
    return this.inner.count(collection, filter);
  }
  ensureIndex(collection: string, index: IndexSpec): Promise<void> {
    return this.inner.ensureIndex(collection, index);
  }
  dropCollection(collection: string): Promise<void> {
    return this.inner.dropCollection(collection);
  }
  close(): Promise<void> {
    return this.inner.close();
  }
}
