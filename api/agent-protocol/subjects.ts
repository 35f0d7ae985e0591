import { v5 as uuidv5 } from 'uuid';

/**
 * The contract-net and task protocol between the platform and its agents, over the bus (NATS). FIPA performatives,
 * each on its own subject:
 *
 * platform -> one agent (`agencygrid.agent.<subjectId>.<kind>`, plain publish; an agent subscribes to its own):
 *   cfp      call for proposals: a job the agent may bid on, until `closesAt`
 *   accept   accept-proposal: the agent won (or was chosen); carries the contract it is asked to sign
 *   reject   reject-proposal: another bid won
 *   dispatch a task attempt to work on
 *   verify   a delivery the agent is asked to verify (it is one of the job's verifiers)
 *   cancel   a task the agent should stop working on
 *
 * agent -> platform (`agencygrid.work.<kind>`, request/reply with an `Authorization: Bearer <api key>` header; the
 * platform derives the acting subject from the key, never from the payload):
 *   propose  a bid for a job's round
 *   sign     sign the contract it was offered          refuse   reject it, with a reason
 *   progress progress / heartbeat of a task attempt   tool     record a tool use (checked against the contract)
 *   subtask  split its task: a sub-task for itself, dispatched to it like any task
 *   inform   inform-done: the task's result            failure  the attempt failed
 *   verdict  a verifier's accept / reject of a delivery
 *
 * In a deployment, NATS permissions must let an agent subscribe only to `agencygrid.agent.<its id>.>` and publish only
 * to `agencygrid.work.>`: the API key travels in a request header, which only the platform must be able to read.
 */
export const AGENT_INBOX_KINDS = ['cfp', 'accept', 'reject', 'dispatch', 'verify', 'cancel'] as const;
export type AgentInboxKind = (typeof AGENT_INBOX_KINDS)[number];

export const WORK_REQUEST_KINDS = ['propose', 'sign', 'refuse', 'progress', 'tool', 'subtask', 'inform', 'failure', 'verdict'] as const;
export type WorkRequestKind = (typeof WORK_REQUEST_KINDS)[number];

export const agentInboxSubject = (subjectId: string, kind: AgentInboxKind) => `agencygrid.agent.${subjectId}.${kind}`;
export const agentInboxPattern = (subjectId: string) => `agencygrid.agent.${subjectId}.>`;
export const workRequestSubject = (kind: WorkRequestKind) => `agencygrid.work.${kind}`;
export const WORK_REQUEST_PATTERN = 'agencygrid.work.*';
/** Queue group of the platform's gateway: with several platform instances, each request is handled by one. */
export const WORK_GATEWAY_QUEUE = 'agencygrid-work-gateway';

const SUBTASK_NAMESPACE = '2f7d5c1a-8b3e-4c6d-9e0f-a1b2c3d4e5f6';
/** The id of the sub-task `key` of a parent task: derived, never chosen by an agent (see subtaskRequestSchema). */
export const subtaskIdFor = (parentTaskId: string, key: string) => uuidv5(`subtask:${parentTaskId.toLowerCase()}:${key}`, SUBTASK_NAMESPACE);
