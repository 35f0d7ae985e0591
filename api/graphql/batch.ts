import DataLoader from 'dataloader';
import type { DocumentStore, JsonDocument } from '../../infra/documents/port.ts';
import { LIMITS } from '../../infra/documents/validation.ts';
import { ASSIGNMENTS } from '../../projections/read-models/assignments.ts';
import { CONTRACTS } from '../../projections/read-models/contracts.ts';
import { JOBS } from '../../projections/read-models/jobs.ts';
import { ORGS } from '../../projections/read-models/orgs.ts';
import { GROUPS, ROLES, scopedId } from '../../projections/read-models/roster.ts';
import { SUBJECTS } from '../../projections/read-models/subjects.ts';

/**
 * Documents of one collection by id, for one request: every load made while the current round of promise jobs runs
 * goes to the store in one `getMany` (at most LIMITS.getMany ids each), and results are memoized for the request, so
 * a document is fetched at most once however many fields point at it. A failed fetch is forgotten, so a later load
 * of the same id tries again.
 */
export type DocumentLoader = DataLoader<string, JsonDocument | undefined>;

/** The request's loaders: subjects, orgs, jobs, contracts and assignments (by job) by id, roles and groups by (orgId, name). */
export interface Loaders {
  subjects: DocumentLoader;
  orgs: DocumentLoader;
  /** Keyed `${orgId}:${name}` (the documents' own ids). */
  roles: DocumentLoader;
  groups: DocumentLoader;
  jobs: DocumentLoader;
  contracts: DocumentLoader;
  /** Keyed by job id. */
  assignments: DocumentLoader;
}

export function createLoaders(docs: DocumentStore): Loaders {
  const of = (collection: string): DocumentLoader => new DataLoader((ids) => docs.getMany(collection, ids), { maxBatchSize: LIMITS.getMany });
  return {
    subjects: of(SUBJECTS),
    orgs: of(ORGS),
    roles: of(ROLES),
    groups: of(GROUPS),
    jobs: of(JOBS),
    contracts: of(CONTRACTS),
    assignments: of(ASSIGNMENTS),
  };
}

/**
 * Loads every key, rejecting when any load fails. (DataLoader's own `loadMany` settles each key separately and
 * hands failures back as Error values among the documents.)
 */
export function loadAll(loader: DocumentLoader, keys: readonly string[]): Promise<Array<JsonDocument | undefined>> {
  return Promise.all(keys.map((key) => loader.load(key)));
}

export const roleKey = (orgId: string, name: string) => scopedId(orgId, name);
