import { LIMITS, type DocumentStore, type JsonDocument } from '../../infra/documents/port.ts';
import { ASSIGNMENTS } from '../../projections/read-models/assignments.ts';
import { CONTRACTS } from '../../projections/read-models/contracts.ts';
import { JOBS } from '../../projections/read-models/jobs.ts';
import { ORGS } from '../../projections/read-models/orgs.ts';
import { GROUPS, ROLES, scopedId } from '../../projections/read-models/roster.ts';
import { SUBJECTS } from '../../projections/read-models/subjects.ts';

/**
 * A per-request batcher in the manner of DataLoader: every `load` made while the current round of promise jobs runs
 * is collected, and one call fetches them all once those jobs are done (a microtask, then `process.nextTick`, which
 * Node runs after the whole microtask queue has drained). Results are memoized for the request, so a document is
 * fetched at most once however many fields point at it.
 */
export class BatchLoader<V> {
  private readonly memo = new Map<string, Promise<V | undefined>>();
  private queue: Array<{ key: string; resolve: (value: V | undefined) => void; reject: (error: unknown) => void }> = [];

  constructor(
    private readonly fetch: (keys: readonly string[]) => Promise<ReadonlyArray<V | undefined>>,
    private readonly maxBatch: number = LIMITS.getMany,
  ) {}

  load(key: string): Promise<V | undefined> {
    const known = this.memo.get(key);
    if (known) return known;
    const promise = new Promise<V | undefined>((resolve, reject) => {
      if (this.queue.length === 0) void Promise.resolve().then(() => process.nextTick(() => void this.dispatch()));
      this.queue.push({ key, resolve, reject });
    });
    this.memo.set(key, promise);
    return promise;
  }

  loadMany(keys: readonly string[]): Promise<Array<V | undefined>> {
    return Promise.all(keys.map((key) => this.load(key)));
  }

  /** Seeds the memo with a document already read (e.g. by a list query), so a later load costs nothing. */
  prime(key: string, value: V): void {
    if (!this.memo.has(key)) this.memo.set(key, Promise.resolve(value));
  }

  private async dispatch(): Promise<void> {
    const batch = this.queue;
    this.queue = [];
    for (let start = 0; start < batch.length; start += this.maxBatch) {
      const chunk = batch.slice(start, start + this.maxBatch);
      try {
        const values = await this.fetch(chunk.map((entry) => entry.key));
        chunk.forEach((entry, index) => entry.resolve(values[index]));
      } catch (error) {
        for (const entry of chunk) {
          this.memo.delete(entry.key);
          entry.reject(error);
        }
      }
    }
  }
}

/** The request's loaders: subjects, orgs, jobs, contracts and assignments (by job) by id, roles and groups by (orgId, name). */
export interface Loaders {
  subjects: BatchLoader<JsonDocument>;
  orgs: BatchLoader<JsonDocument>;
  /** Keyed `${orgId}:${name}` (the documents' own ids). */
  roles: BatchLoader<JsonDocument>;
  groups: BatchLoader<JsonDocument>;
  jobs: BatchLoader<JsonDocument>;
  contracts: BatchLoader<JsonDocument>;
  /** Keyed by job id. */
  assignments: BatchLoader<JsonDocument>;
}

export function createLoaders(docs: DocumentStore): Loaders {
  const of = (collection: string) => new BatchLoader<JsonDocument>((ids) => docs.getMany(collection, ids));
  return { subjects: of(SUBJECTS), orgs: of(ORGS), roles: of(ROLES), groups: of(GROUPS), jobs: of(JOBS), contracts: of(CONTRACTS), assignments: of(ASSIGNMENTS) };
}

export const roleKey = (orgId: string, name: string) => scopedId(orgId, name);
