import type { JsonDocument } from '../../infra/documents/port.ts';
import { defineProjection } from '../projection.ts';
import { POSITION_FIELD, json, withoutBookkeeping, writeDocument } from '../read-model-writes.ts';
import type { JsonValue } from '../../domain/shared/json-value.ts';
import type { EventDataOf, Stored } from './stored.ts';
import { asc } from './index-fields.ts';

export const BIDS = 'bids';

export const BIDS_PROJECTION = 'bids';

/** A bid's document: who bid what on which job and round, whether it was valid and why not. */
export type BidDocument = Stored<
  Pick<EventDataOf<'ProposalRecorded'>, 'orgId' | 'jobId' | 'round' | 'subjectId' | 'valid' | 'reasons' | 'receivedAt'> & {
    bidId: string;
    price: EventDataOf<'ProposalRecorded'>['bid']['price'];
    etaSeconds: number | null;
    note: string | null;
  }
>;

/**
 * One document per recorded bid (`ProposalRecorded`; `_id` = the event's id, stable across replays): the org, the job,
 * the round, the bidder (`subjectId`), `price`, `etaSeconds`, `note`, whether it was `valid` and, when it was not,
 * every `reason` (late, not invited with the assessment's reasons, a second bid), and `receivedAt`. So "why was my bid
 * refused" is a query (by job, by bidder). Whether a valid bid won is the assignment's `award` (`subjectId`,
 * `declined`).
 */
export const bidsProjection = defineProjection({
  name: BIDS_PROJECTION,
  version: 1,
  eventTypes: ['ProposalRecorded'],
  collections: [BIDS],
  async setup({ docs }) {
    await docs.ensureIndex(BIDS, { name: 'bids_job', fields: [asc('jobId'), asc('round'), asc('receivedAt')] });
    await docs.ensureIndex(BIDS, { name: 'bids_org_subject', fields: [asc('orgId'), asc('subjectId'), asc('receivedAt')] });
  },
  async apply(event, { docs }) {
    const { orgId, jobId, round, subjectId, bid, valid, reasons, receivedAt } = event.data;
    await writeDocument(docs, BIDS, event.eventId, event.position, () => ({
      bidId: event.eventId,
      orgId,
      jobId,
      round,
      subjectId,
      price: bid.price,
      etaSeconds: bid.etaSeconds ?? null,
      note: bid.note ?? null,
      valid,
      reasons: json(reasons),
      receivedAt,
    }));
  },
});

/** A bid as the read APIs answer it. */
export function bidView(document: JsonDocument): Record<string, JsonValue> {
  return { ...withoutBookkeeping(document), bidId: document._id, position: typeof document[POSITION_FIELD] === 'string' ? document[POSITION_FIELD] : '0' };
}
