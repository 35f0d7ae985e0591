/**
 * The agent SDK: what an agent process imports (`agencygrid/agent-client`). Pick a transport: a bus (NATS for a
 * separate process) or the platform's HTTP API (`{ http: { baseUrl } }`, for an agent without NATS), then start an
 * AgentClient with the handlers for the messages it takes part in.
 */
export { AgentClient, type AgentClientOptions, type AgentHandlers, type Bid, type TaskContext } from './agent-client.ts';
export { AgentRequestError } from './errors.ts';
export { connectAgentBus, type AgentBusOptions } from './agent-bus.ts';
export type { AgentHttpOptions } from './http-transport.ts';
export { SseParser, type SseEvent } from './sse-parser.ts';
export type { AgentTransport, InboxMessage } from './transport.ts';
export type { Award, CallForProposals, ProposalRejected, TaskDispatch, VerificationRequest } from '../../domain/agent-protocol/messages.ts';
export { NatsBus } from '../../infra/bus/nats.ts';
export { MemoryBus } from '../../infra/bus/memory.ts';
