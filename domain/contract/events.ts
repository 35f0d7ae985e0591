import { z } from 'zod';
import { version1Definitions, type EventUnion } from '../events/registry.ts';
import { principalSchema } from '../shared/principal.ts';
import {
  MAX_OBLIGATIONS,
  MAX_VERIFIERS,
  breachDetailsSchema,
  breachIdSchema,
  breachKindSchema,
  clauseSchema,
  contractPartySchema,
  deliverablesSchema,
  escalateToSchema,
  noteSchema,
  obligationIdSchema,
  obligationSchema,
  permittedActionsSchema,
  permittedToolsSchema,
  reasonSchema,
} from './fields.ts';
import { contractStatusSchema } from './state.ts';

/**
 * Every contract event names its job as well as its org: the assignment saga and the read models react to contract
 * events by job, and should not have to load the contract to find it.
 */
const contractRef = { contractId: z.uuid(), orgId: z.uuid(), jobId: z.uuid() };

const contractDraftedData = z.object({
  ...contractRef,
  assigneeSubjectId: z.uuid(),
  verifierSubjectIds: z.array(z.uuid()).max(MAX_VERIFIERS),
  permittedActions: permittedActionsSchema,
  permittedTools: permittedToolsSchema,
  deliverables: deliverablesSchema,
  obligations: z.array(obligationSchema).max(MAX_OBLIGATIONS),
  escalateTo: escalateToSchema,
  /** Decides the first status (`in_review` or `awaiting_signatures`), so evolve stays a pure fold over event data. */
  reviewRequired: z.boolean(),
  draftedBy: principalSchema,
  draftedAt: z.iso.datetime(),
});

const contractReviewedData = z.object({
  ...contractRef,
  approved: z.boolean(),
  note: noteSchema.nullable(),
  reviewedBy: principalSchema,
  reviewedAt: z.iso.datetime(),
});

const contractSignedData = z.object({ ...contractRef, party: contractPartySchema, signedBy: principalSchema, signedAt: z.iso.datetime() });

const contractActivatedData = z.object({ ...contractRef, assigneeSubjectId: z.uuid(), activatedAt: z.iso.datetime() });

const contractRejectedData = z.object({
  ...contractRef,
  party: contractPartySchema,
  reason: reasonSchema,
  /** Who was to do the work: the assignment saga then tries another candidate. */
  assigneeSubjectId: z.uuid(),
  rejectedBy: principalSchema,
  rejectedAt: z.iso.datetime(),
});

const contractBreachedData = z.object({
  ...contractRef,
  breachId: breachIdSchema,
  kind: breachKindSchema,
  clause: clauseSchema,
  details: breachDetailsSchema,
  /** The contract's escalation role, copied so whoever escalates the breach need not load the contract. */
  escalateTo: escalateToSchema,
  recordedBy: principalSchema,
  recordedAt: z.iso.datetime(),
});

const obligationExtendedData = z.object({
  ...contractRef,
  obligationId: obligationIdSchema,
  previousDueAt: z.iso.datetime(),
  dueAt: z.iso.datetime(),
  extendedBy: principalSchema,
  extendedAt: z.iso.datetime(),
});

const contractFulfilledData = z.object({ ...contractRef, fulfilledBy: principalSchema, fulfilledAt: z.iso.datetime() });

const contractTerminatedData = z.object({
  ...contractRef,
  reason: reasonSchema,
  /** The status the contract was in: terminating an active contract ends work, terminating a draft does not. */
  from: contractStatusSchema,
  terminatedBy: principalSchema,
  terminatedAt: z.iso.datetime(),
});

export const contractEventDefinitions = version1Definitions({
  ContractDrafted: contractDraftedData,
  ContractReviewed: contractReviewedData,
  ContractSigned: contractSignedData,
  ContractActivated: contractActivatedData,
  ContractRejected: contractRejectedData,
  ContractBreached: contractBreachedData,
  ObligationExtended: obligationExtendedData,
  ContractFulfilled: contractFulfilledData,
  ContractTerminated: contractTerminatedData,
});

export type ContractEvent = EventUnion<typeof contractEventDefinitions>;

export type ContractEventType = ContractEvent['type'];
