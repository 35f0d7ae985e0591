import { z } from 'zod';
import type { Principal } from '../shared/principal.ts';
import type { BreachKind, ContractParty, Obligation } from './fields.ts';

/**
 * `in_review` only when the draft asked for a review; a draft that did not starts out awaiting signatures. There is
 * no `drafted` status: ContractDrafted itself puts the contract in one of those two.
 */
export const contractStatusSchema = z.enum(['in_review', 'awaiting_signatures', 'active', 'fulfilled', 'terminated', 'rejected']);
export type ContractStatus = z.infer<typeof contractStatusSchema>;

/** Statuses no command leaves: the contract is over. */
export const finalContractStatuses: readonly ContractStatus[] = ['fulfilled', 'terminated', 'rejected'];
export const isFinalContractStatus = (status: ContractStatus) => finalContractStatuses.includes(status);

export interface ContractSignature {
  signedBy: Principal;
  signedAt: string;
}

export interface ContractReview {
  approved: boolean;
  note: string | null;
  reviewedBy: Principal;
  reviewedAt: string;
}

export interface ContractRejection {
  party: ContractParty;
  reason: string;
  rejectedBy: Principal;
  rejectedAt: string;
}

export interface ContractBreach {
  breachId: string;
  kind: BreachKind;
  clause: string;
  details: string;
  recordedBy: Principal;
  recordedAt: string;
}

export interface Contract {
  contractId: string;
  orgId: string;
  jobId: string;
  assigneeSubjectId: string;
  verifierSubjectIds: string[];
  /** Action patterns (policy globs) the assignee may perform under the contract. */
  permittedActions: string[];
  /** Tool names the assignee may use, matched exactly. */
  permittedTools: string[];
  deliverables: string[];
  /** Due instants in UTC; ExtendObligation moves one later. */
  obligations: Obligation[];
  escalateTo: string | null;
  reviewRequired: boolean;
  draftedBy: Principal;
  draftedAt: string;
  status: ContractStatus;
  /** The org's review, when one was required and has happened. */
  review: ContractReview | null;
  signatures: Record<ContractParty, ContractSignature | null>;
  activatedAt: string | null;
  /** Every breach recorded, in order; their ids make RecordBreach idempotent. */
  breaches: ContractBreach[];
  /** Who rejected the contract and why, when it was rejected. */
  rejection: ContractRejection | null;
  /** Why the contract was rejected or terminated; null otherwise. */
  statusReason: string | null;
  /** When the contract became final (fulfilled, terminated or rejected); null while it is open. */
  endedAt: string | null;
}

/** `null` until the contract is drafted. */
export type ContractState = Contract | null;

export const initialContractState: ContractState = null;
