import { contractDecider } from '../../domain/contract/decider.ts';
import { contractEventDefinitions } from '../../domain/contract/events.ts';
import { isFinalContractStatus, type Contract } from '../../domain/contract/state.ts';
import type { JsonDocument } from '../../infra/documents/port.ts';
import { evolvingReadModel } from '../evolving-read-model.ts';
import { POSITION_FIELD, json, withoutBookkeeping } from '../read-model-writes.ts';
import type { JsonValue } from '../../domain/shared/json-value.ts';
import type { Stored } from './stored.ts';
import { asc, desc, index } from './index-fields.ts';

export const CONTRACTS = 'contracts';

export const CONTRACTS_PROJECTION = 'contracts';

/** A contract's document: the contract (its latest breaches), `breachCount`, `open`, `revision` and `updatedAt`. */
export type ContractDocument = Stored<Contract & { breachCount: number; open: boolean; revision: number; updatedAt: string }>;

/**
 * The breaches a contract document keeps (the latest ones; `breachCount` counts them all). The domain records every
 * refused tool use as a breach, so an agent that keeps trying could otherwise grow the document past the store's
 * limit. The log keeps every one.
 */
export const KEPT_BREACHES = 50;

/**
 * One document per contract (`_id` = contractId): the domain's own fold (evolveContract), so the document is what the
 * contract aggregate decides on: parties, verifiers, permitted actions and tools, obligations with their due times,
 * the review, both signatures, the breaches (the latest {@link KEPT_BREACHES}, with `breachCount`), the rejection,
 * and `draftedAt` / `activatedAt` / `endedAt` / `updatedAt`, plus `open` (not final) and the contract stream's
 * `revision`. Every field is the platform's own (no user-chosen keys), so it is stored as it is.
 */
export const contractsProjection = evolvingReadModel({
  name: CONTRACTS_PROJECTION,
  version: 1,
  collection: CONTRACTS,
  events: contractEventDefinitions,
  decider: contractDecider,
  idOf: (event) => event.data.contractId,
  fromDocument: contractFromDocument,
  toDocument(contract, event, current) {
    const breachCount = (typeof current?.breachCount === 'number' ? current.breachCount : 0) + (event.type === 'ContractBreached' ? 1 : 0);
    return {
      ...(json({ ...contract, breaches: contract.breaches.slice(-KEPT_BREACHES) }) as Record<string, JsonValue>),
      breachCount,
      open: !isFinalContractStatus(contract.status),
    };
  },
  stamps: { revision: true },
  indexes: [
    index('contracts_org_drafted', asc('orgId'), desc('draftedAt')),
    index('contracts_org_status', asc('orgId'), asc('status')),
    index('contracts_org_assignee', asc('orgId'), asc('assigneeSubjectId')),
    index('contracts_job', asc('jobId'), desc('draftedAt')),
    // GET /orgs/:orgId/contracts: each filter with the order, so a filtered page is a seek too.
    index('contracts_org_status_drafted', asc('orgId'), asc('status'), desc('draftedAt')),
    index('contracts_org_assignee_drafted', asc('orgId'), asc('assigneeSubjectId'), desc('draftedAt')),
    index('contracts_org_job_drafted', asc('orgId'), asc('jobId'), desc('draftedAt')),
  ],
});

/** The contract a stored document holds (the inverse of the projection's write; breaches as kept). */
export function contractFromDocument(document: Record<string, JsonValue>): Contract {
  const { breachCount: _count, open: _open, revision: _revision, updatedAt: _updatedAt, ...rest } = document;
  return rest as unknown as Contract;
}

/** A contract as the read APIs answer it. */
export function contractView(document: JsonDocument) {
  const contract = contractFromDocument(withoutBookkeeping(document));
  return {
    ...contract,
    breachCount: typeof document.breachCount === 'number' ? document.breachCount : contract.breaches.length,
    revision: typeof document.revision === 'number' ? document.revision : 0,
    updatedAt: typeof document.updatedAt === 'string' ? document.updatedAt : contract.draftedAt,
    position: typeof document[POSITION_FIELD] === 'string' ? document[POSITION_FIELD] : '0',
  };
}
export type ContractView = ReturnType<typeof contractView>;
