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
 * agent -> platform (`agencygrid.work.<subjectId>.<keyId>.<kind>`, request/reply): the subject names who asks and
 * with which API key, so the platform checks that key (active, the subject's, the subject not suspended) on every
 * request:
 *   propose  a bid for a job's round
 *   sign     sign the contract it was offered          refuse   reject it, with a reason
 *   progress progress / heartbeat of a task attempt   tool     record a tool use (checked against the contract)
 *   subtask  split its task: a sub-task for itself, dispatched to it like any task
 *   inform   inform-done: the task's result            failure  the attempt failed
 *   verdict  a verifier's accept / reject of a delivery
 *
 * On an authenticated bus (NATS in operator mode, see infra/bus/nats-auth/), the server enforces `agentBusPermissions`:
 * an agent connects with credentials the platform issued for one of its keys, publishes only on its own work
 * subjects and subscribes only to its own inbox and reply subjects, so the subject itself is proof of who sent a
 * request and no API key travels in a message. On a bus without authentication (a development NATS, the in-process
 * bus), the request also carries `Authorization: Bearer <api key>`, which must match the subject's key.
 */
export const AGENT_INBOX_KINDS = ['cfp', 'accept', 'reject', 'dispatch', 'verify', 'cancel'] as const;
export type AgentInboxKind = (typeof AGENT_INBOX_KINDS)[number];

export const WORK_REQUEST_KINDS = ['propose', 'sign', 'refuse', 'progress', 'tool', 'subtask', 'inform', 'failure', 'verdict'] as const;
export type WorkRequestKind = (typeof WORK_REQUEST_KINDS)[number];

export const agentInboxSubject = (subjectId: string, kind: AgentInboxKind) => `agencygrid.agent.${subjectId}.${kind}`;
export const agentInboxPattern = (subjectId: string) => `agencygrid.agent.${subjectId}.>`;
export const workRequestSubject = (subjectId: string, keyId: string, kind: WorkRequestKind) => `agencygrid.work.${subjectId}.${keyId}.${kind}`;
/** What the gateway answers: `<subjectId>.<keyId>.<kind>`. */
export const WORK_REQUEST_PATTERN = 'agencygrid.work.*.*.*';

/** Who sent a work request and what it asks, from its subject; undefined when the subject is not one. */
export function parseWorkRequestSubject(subject: string): { subjectId: string; keyId: string; kind: string } | undefined {
  const tokens = subject.split('.');
  if (tokens.length !== 5 || tokens[0] !== 'agencygrid' || tokens[1] !== 'work') return undefined;
  const [, , subjectId, keyId, kind] = tokens as [string, string, string, string, string];
  return { subjectId, keyId, kind };
}

/** The key id of an API key (`agk_<keyId>.<secret>`, see api/auth/api-key.ts): not secret, it names the key. */
export function apiKeyId(apiKey: string): string | undefined {
  return /^agk_([A-Za-z0-9_-]{1,64})\./u.exec(apiKey)?.[1];
}

/**
 * Where an agent's replies come back: its own inbox prefix (nats.js `inboxPrefix`), so that the permission to read
 * replies covers its own and no one else's.
 */
export const agentReplyPrefix = (subjectId: string) => `_INBOX.${subjectId}`;

/**
 * What one agent connection may do on the bus, and nothing else: publish its own requests made with this key,
 * subscribe to its own inbox and to its own replies. No wildcard reaches another agent's subjects or the platform's.
 */
export function agentBusPermissions(subjectId: string, keyId: string): { pub: { allow: string[] }; sub: { allow: string[] } } {
  // An id that were a wildcard or held a `.` would widen the grant: ids are UUIDs and key ids base64url, never that.
  for (const token of [subjectId, keyId])
    if (!/^[A-Za-z0-9_-]{1,128}$/u.test(token)) throw new TypeError(`not a plain subject token: ${JSON.stringify(token)}`);
  return {
    pub: { allow: [`agencygrid.work.${subjectId}.${keyId}.*`] },
    sub: { allow: [agentInboxPattern(subjectId), `${agentReplyPrefix(subjectId)}.>`] },
  };
}
/** Queue group of the platform's gateway: with several platform instances, each request is handled by one. */
export const WORK_GATEWAY_QUEUE = 'agencygrid-work-gateway';

const SUBTASK_NAMESPACE = '2f7d5c1a-8b3e-4c6d-9e0f-a1b2c3d4e5f6';
/** The id of the sub-task `key` of a parent task: derived, never chosen by an agent (see subtaskRequestSchema). */
export const subtaskIdFor = (parentTaskId: string, key: string) => uuidv5(`subtask:${parentTaskId.toLowerCase()}:${key}`, SUBTASK_NAMESPACE);
