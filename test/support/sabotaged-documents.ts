import { InvalidDocumentError } from '../../infra/documents/errors.ts';
import type { DocumentStore } from '../../infra/documents/port.ts';

const WRITES = new Set(['upsert', 'update', 'updateMany']);

/**
 * A document store that refuses (InvalidDocumentError) every write to `collection` whose arguments contain `marker`,
 * until `fix()`: a projection then stops at the event that carries the marker, as it would on a bug, and the fix
 * stands for the deployed correction an operator retries the parked event after.
 */
export function sabotagedDocuments(inner: DocumentStore, collection: string, marker: string): { docs: DocumentStore; fix(): void } {
  let broken = true;
  const docs = new Proxy(inner, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        if (broken && WRITES.has(String(property)) && args[0] === collection && JSON.stringify(args.slice(1)).includes(marker)) {
          return Promise.reject(new InvalidDocumentError(`refused: the document holds ${marker}`));
        }
        return (value as (...inner: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return {
    docs,
    fix: () => {
      broken = false;
    },
  };
}
