import { z } from 'zod';
import { commandUnion } from '../shared/command-schema.ts';
import { uuidSchema } from '../shared/ids.ts';
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
  instantInputSchema,
  noteSchema,
  obligationDescriptionSchema,
  obligationIdSchema,
  permittedActionsSchema,
  permittedToolsSchema,
  reasonSchema,
  unique,
} from './fields.ts';

/**
 * Every contract command names the contract's org as well as the contract: the pipeline decides the policy of that
 * org before the contract's stream is read, and the decider then refuses a command whose org is not the contract's
 * (as CONTRACT_NOT_FOUND), so naming a lenient org cannot borrow its policy.
 */
const contractRef = { contractId: uuidSchema, orgId: uuidSchema };

const obligationInputSchema = z.strictObject({
  obligationId: obligationIdSchema,
  description: obligationDescriptionSchema,
  /** Must lie in the future when the contract is drafted. */
  dueAt: instantInputSchema,
});

export const contractCommandSchema = commandUnion({
  DraftContract: z
    .strictObject({
      ...contractRef,
      jobId: uuidSchema,
      assigneeSubjectId: uuidSchema,
      verifierSubjectIds: z.array(uuidSchema).max(MAX_VERIFIERS).refine(unique, 'verifiers must be unique').default([]),
      /** At least one: a contract that permits nothing could never be fulfilled. */
      permittedActions: permittedActionsSchema.min(1).refine(unique, 'action patterns must be unique'),
      /** Empty: the assignee may use no tool under this contract. */
      permittedTools: permittedToolsSchema.refine(unique, 'tools must be unique').default([]),
      deliverables: deliverablesSchema.default([]),
      obligations: z
        .array(obligationInputSchema)
        .max(MAX_OBLIGATIONS)
        .refine((obligations) => unique(obligations.map((obligation) => obligation.obligationId)), 'obligation ids must be unique')
        .default([]),
      escalateTo: escalateToSchema.default(null),
      /** True: the org reviews the draft before anyone signs it. */
      reviewRequired: z.boolean().default(false),
    })
    // Separation of duties: no one verifies their own work.
    .refine((data) => !data.verifierSubjectIds.includes(data.assigneeSubjectId), {
      message: 'the assignee cannot also verify the work',
      path: ['verifierSubjectIds'],
    }),
  ReviewContract: z
    .strictObject({ ...contractRef, approve: z.boolean(), note: noteSchema.optional() })
    // A disapproval rejects the contract, and the note is the rejection's reason: there must be one.
    .refine((data) => data.approve || data.note !== undefined, { message: 'a disapproval needs a note (the reason)', path: ['note'] }),
  SignContract: z.strictObject({ ...contractRef, party: contractPartySchema }),
  RejectContract: z.strictObject({ ...contractRef, party: contractPartySchema, reason: reasonSchema }),
  RecordBreach: z.strictObject({ ...contractRef, breachId: breachIdSchema, kind: breachKindSchema, clause: clauseSchema, details: breachDetailsSchema }),
  ExtendObligation: z.strictObject({ ...contractRef, obligationId: obligationIdSchema, dueAt: instantInputSchema }),
  FulfilContract: z.strictObject(contractRef),
  TerminateContract: z.strictObject({ ...contractRef, reason: reasonSchema }),
});
export type ContractCommand = z.infer<typeof contractCommandSchema>;
export type ContractCommandType = ContractCommand['type'];
