import { z } from 'zod';
import type { WorkRequestKind } from './subjects.ts';

/*
 * Message bodies of the agent protocol (see subjects.ts). The platform validates what agents send with these schemas;
 * the agent client validates what the platform sends. Plain JSON, no platform types, so an agent in any language can
 * speak it.
 */

const uuid = z.uuid();
const capability = z.object({ name: z.string(), level: z.number() });
/** The assignment round of a job that a bidding message is about. */
const jobRound = { orgId: uuid, jobId: uuid, round: z.number().int().positive() };

export const callForProposalsSchema = z.object({
  ...jobRound,
  closesAt: z.string(),
  goal: z.string(),
  objectives: z.array(z.string()),
  requiredCapabilities: z.array(capability),
  budget: z.object({ amount: z.number(), currency: z.string() }).nullable(),
  deadline: z.string().nullable(),
});
export type CallForProposals = z.infer<typeof callForProposalsSchema>;

export const contractTermsSchema = z.object({
  contractId: uuid,
  permittedActions: z.array(z.string()),
  permittedTools: z.array(z.string()),
  deliverables: z.array(z.string()),
  obligations: z.array(z.object({ obligationId: z.string(), description: z.string(), dueAt: z.string() })),
});
export type ContractTerms = z.infer<typeof contractTermsSchema>;

export const awardSchema = z.object({
  ...jobRound,
  basis: z.string(),
  goal: z.string(),
  contract: contractTermsSchema,
});
export type Award = z.infer<typeof awardSchema>;

export const proposalRejectedSchema = z.object({ ...jobRound, reason: z.string() });
export type ProposalRejected = z.infer<typeof proposalRejectedSchema>;

export const taskDispatchSchema = z.object({
  orgId: uuid,
  jobId: uuid,
  taskId: uuid,
  attempt: z.number().int().positive(),
  title: z.string(),
  input: z.json(),
  contractId: uuid.nullable(),
  /** Set on a sub-task: the task it splits. */
  parentTaskId: uuid.nullable().default(null),
  heartbeatMs: z.number().int().positive(),
});
export type TaskDispatch = z.infer<typeof taskDispatchSchema>;

export const verificationRequestSchema = z.object({ orgId: uuid, jobId: uuid, goal: z.string(), deliverable: z.json(), outputTemplate: z.json() });
export type VerificationRequest = z.infer<typeof verificationRequestSchema>;

export const taskCancelledSchema = z.object({ orgId: uuid, taskId: uuid, reason: z.string() });
export type TaskCancelled = z.infer<typeof taskCancelledSchema>;

/* Agent -> platform requests. Strict: an unknown field is a mistake worth reporting. */

export const proposeRequestSchema = z.strictObject({
  ...jobRound,
  bid: z.strictObject({ price: z.number(), etaSeconds: z.number().int().optional(), note: z.string().optional() }),
});
export const signRequestSchema = z.strictObject({ orgId: uuid, contractId: uuid });
export const refuseRequestSchema = z.strictObject({ orgId: uuid, contractId: uuid, reason: z.string() });
export const progressRequestSchema = z.strictObject({ orgId: uuid, taskId: uuid, progress: z.number(), message: z.string().optional() });
export const toolRequestSchema = z.strictObject({ orgId: uuid, taskId: uuid, tool: z.string(), purpose: z.string().optional() });
/**
 * `key` names the sub-task among its parent's (any string the agent picks, e.g. `part-1`); the platform derives the
 * sub-task's id from the parent and the key (`subtaskIdFor`), so an agent can neither choose nor take over another
 * task's id, and splitting again with the same key is the same sub-task.
 */
export const subtaskRequestSchema = z.strictObject({
  orgId: uuid,
  jobId: uuid,
  parentTaskId: uuid,
  contractId: uuid.nullable(),
  key: z.string().min(1).max(100),
  title: z.string(),
  input: z.json().optional(),
});
export const informRequestSchema = z.strictObject({ orgId: uuid, taskId: uuid, outputs: z.unknown() });
export const failureRequestSchema = z.strictObject({ orgId: uuid, taskId: uuid, attempt: z.number().int().positive(), reason: z.string() });
export const verdictRequestSchema = z.strictObject({ orgId: uuid, jobId: uuid, accept: z.boolean(), note: z.string().optional() });

/** The body of each agent request, by kind. */
export const workRequestSchemas = {
  propose: proposeRequestSchema,
  sign: signRequestSchema,
  refuse: refuseRequestSchema,
  progress: progressRequestSchema,
  tool: toolRequestSchema,
  subtask: subtaskRequestSchema,
  inform: informRequestSchema,
  failure: failureRequestSchema,
  verdict: verdictRequestSchema,
} as const satisfies Record<WorkRequestKind, z.ZodType>;

/** An agent's Idempotency-Key, on the bus and over HTTP alike: the same key names the same command on either. */
export const AGENT_IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,200}$/;

/** Every reply to an agent's request. */
export type WorkReply = { ok: true; position: string | null } | { ok: false; error: { code: string; message: string; details: Record<string, unknown> } };
