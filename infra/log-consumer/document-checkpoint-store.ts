import type { DocumentStore } from '../documents/port.ts';
import type { CheckpointStore } from './checkpoint-store.ts';

const COLLECTION = '_sagas';

/**
 * Saga checkpoints kept beside the read models (MongoDB or the embedded store): they live and die with the database
 * the platform was started with, so a fresh store never inherits a checkpoint of another log.
 */
export class DocumentCheckpointStore implements CheckpointStore {
  constructor(private readonly docs: DocumentStore) {}

  async load(name: string): Promise<bigint | undefined> {
    const document = await this.docs.get(COLLECTION, name);
    return typeof document?.position === 'string' ? BigInt(document.position) : undefined;
  }

  async save(name: string, position: bigint): Promise<void> {
    await this.docs.upsert(COLLECTION, { _id: name, position: position.toString() });
  }
}
