import { randomUUID } from 'node:crypto';
import type { Bus } from '../../infra/bus/port.ts';
import {
  awardSchema,
  callForProposalsSchema,
  proposalRejectedSchema,
  taskCancelledSchema,
  taskDispatchSchema,
  verificationRequestSchema,
  type Award,
  type CallForProposals,
  type ProposalRejected,
  type TaskDispatch,
  type VerificationRequest,
} from '../../domain/agent-protocol/messages.ts';
import type { WorkRequestKind } from '../../domain/agent-protocol/subjects.ts';
import { BusTransport } from './bus-transport.ts';
import { HttpTransport, type AgentHttpOptions } from './http-transport.ts';
import type { AgentTransport, InboxMessage } from './transport.ts';
import type { JsonValue } from '../../domain/shared/json-value.ts';

export interface Bid {
  price: number;
  etaSeconds?: number;
  note?: string;
}

/** What a task handler can do while it works. Heartbeats are sent for it while the handler runs. */
export interface TaskContext {
  /** Reports progress (0..100); it is also a heartbeat. */
  progress(progress: number, message?: string): Promise<void>;
  /** Records a tool use; refused with CONTRACT_VIOLATION when the contract does not permit the tool. */
  useTool(tool: string, purpose?: string): Promise<void>;
  /** Aborted when the platform cancels the task (the job was cancelled or reassigned). */
  readonly signal: AbortSignal;
}

export interface AgentHandlers {
  /** A call for proposals: answer a bid, or null to let it pass. */
  onCallForProposals?(cfp: CallForProposals): Promise<Bid | null> | Bid | null;
  /** The agent was chosen: sign the contract (the default) or refuse it with a reason. */
  onAward?(award: Award): Promise<{ sign: true } | { sign: false; reason: string }> | { sign: true } | { sign: false; reason: string };
  onProposalRejected?(rejected: ProposalRejected): void;
  /** Does the task's work and answers its outputs (any JSON); a throw fails the attempt with the error's message. */
  onTask?(task: TaskDispatch, context: TaskContext): Promise<JsonValue>;
  /** The agent verifies a job's delivery. */
  onVerify?(request: VerificationRequest): Promise<{ accept: boolean; note?: string }> | { accept: boolean; note?: string };
  /** Anything that went wrong handling a message (the agent keeps running). */
  onError?(error: unknown, context: { kind: string }): void;
}

interface AgentClientCommonOptions {
  /** The agent's subject id and its API key (from `POST /subjects/:id/api-keys`). */
  subjectId: string;
  apiKey: string;
  /** Default 10 000 ms. */
  requestTimeoutMs?: number;
}

/**
 * The transport, chosen by the caller: exactly one of
 * - `bus`: the bus to the platform, `NatsBus.connect(url)` for a separate process, the platform's own bus in process;
 * - `http`: the platform's HTTP API (`{ baseUrl }`), for an agent without NATS: the inbox is `GET /agent/inbox`
 *   (Server-Sent Events, reconnected with backoff), requests `POST /agent/requests/<kind>`.
 */
export type AgentClientOptions = AgentClientCommonOptions & ({ bus: Bus; http?: undefined } | { http: AgentHttpOptions; bus?: undefined });

/**
 * The agent side of the contract-net and task protocol (domain/agent-protocol/subjects.ts): receives calls for
 * proposals, awards, task dispatches and verification requests on its own inbox, and answers through the platform's
 * authenticated requests, over the bus or over HTTP (the handlers are the same either way). Each request carries an
 * idempotency key, so a retry after a lost reply is answered the same.
 *
 *   const agent = new AgentClient({ bus, subjectId, apiKey }, { onCallForProposals, onTask });
 *   const agent = new AgentClient({ http: { baseUrl: 'https://agencygrid.example.org' }, subjectId, apiKey }, { ... });
 *   await agent.start();
 */
export class AgentClient {
  private readonly transport: AgentTransport;
  private readonly running = new Map<string, AbortController>();
  private readonly seen = new Set<string>();

  constructor(
    options: AgentClientOptions,
    private readonly handlers: AgentHandlers,
  ) {
    const requestTimeoutMs = options.requestTimeoutMs ?? 10_000;
    const { subjectId, apiKey, bus, http } = options;
    if (bus !== undefined && http === undefined) this.transport = new BusTransport({ bus, subjectId, apiKey, requestTimeoutMs });
    else if (http !== undefined && bus === undefined)
      this.transport = new HttpTransport({ ...http, apiKey, requestTimeoutMs, onError: (error, context) => this.handlers.onError?.(error, context) });
    else throw new TypeError('AgentClient: give exactly one transport, `bus` or `http`');
  }

  /** Opens the inbox; resolves once messages the platform sends from now on reach the handlers. */
  async start(): Promise<void> {
    await this.transport.open((message) => this.dispatch(message));
  }

  async stop(): Promise<void> {
    for (const controller of this.running.values()) controller.abort();
    await this.transport.close();
  }

  /** Sends one request to the platform; resolves with the log position of what it recorded, or throws AgentRequestError. */
  async request(kind: WorkRequestKind, payload: JsonValue, idempotencyKey: string = randomUUID()): Promise<string | null> {
    return this.transport.request(kind, payload, idempotencyKey);
  }

  private async dispatch(message: InboxMessage): Promise<void> {
    const { kind } = message;
    try {
      switch (kind) {
        case 'cfp':
          return await this.onCfp(callForProposalsSchema.parse(message.data));
        case 'accept':
          return await this.onAward(awardSchema.parse(message.data));
        case 'reject':
          return this.handlers.onProposalRejected?.(proposalRejectedSchema.parse(message.data));
        case 'dispatch':
          // Not awaited: the inbox stays open for cancel messages while the task runs.
          void this.runTask(taskDispatchSchema.parse(message.data));
          return;
        case 'verify':
          return await this.onVerify(verificationRequestSchema.parse(message.data));
        case 'cancel': {
          const cancelled = taskCancelledSchema.parse(message.data);
          this.running.get(cancelled.taskId)?.abort(new Error(cancelled.reason));
          return;
        }
      }
    } catch (error) {
      this.handlers.onError?.(error, { kind });
    }
  }

  private once(key: string): boolean {
    if (this.seen.has(key)) return false;
    this.seen.add(key);
    if (this.seen.size > 10_000) this.seen.delete(this.seen.values().next().value as string);
    return true;
  }

  private async onCfp(cfp: CallForProposals): Promise<void> {
    // A call can come twice (several platform instances, or a step replayed after a crash): bid once per round.
    if (!this.handlers.onCallForProposals || !this.once(`cfp:${cfp.jobId}:${cfp.round}`)) return;
    const bid = await this.handlers.onCallForProposals(cfp);
    if (bid === null) return;
    const cleanBid: JsonValue = {
      price: bid.price,
      ...(bid.etaSeconds === undefined ? {} : { etaSeconds: bid.etaSeconds }),
      ...(bid.note === undefined ? {} : { note: bid.note }),
    };
    await this.request('propose', { orgId: cfp.orgId, jobId: cfp.jobId, round: cfp.round, bid: cleanBid }, `propose:${cfp.jobId}:${cfp.round}`);
  }

  private async onAward(award: Award): Promise<void> {
    if (!this.once(`award:${award.contract.contractId}`)) return;
    const answer = (await this.handlers.onAward?.(award)) ?? { sign: true as const };
    const { contractId } = award.contract;
    if (answer.sign) await this.request('sign', { orgId: award.orgId, contractId }, `sign:${contractId}`);
    else await this.request('refuse', { orgId: award.orgId, contractId, reason: answer.reason }, `refuse:${contractId}`);
  }

  private async onVerify(request: VerificationRequest): Promise<void> {
    if (!this.handlers.onVerify || !this.once(`verify:${request.jobId}`)) return;
    const verdict = await this.handlers.onVerify(request);
    await this.request(
      'verdict',
      { orgId: request.orgId, jobId: request.jobId, accept: verdict.accept, ...(verdict.note ? { note: verdict.note } : {}) },
      `verdict:${request.jobId}`,
    );
  }

  private async runTask(task: TaskDispatch): Promise<void> {
    if (!this.handlers.onTask || !this.once(`task:${task.taskId}:${task.attempt}`)) return;
    const controller = new AbortController();
    this.running.set(task.taskId, controller);
    const { orgId, taskId } = task;
    let lastProgress = 0;
    const progress = async (value: number, message?: string) => {
      lastProgress = value;
      await this.request('progress', { orgId, taskId, progress: value, ...(message ? { message } : {}) });
    };
    // Heartbeats at a third of the timeout, so two may be lost before the platform gives up on the attempt.
    const heartbeat = setInterval(
      () => {
        progress(lastProgress).catch((error: unknown) => this.handlers.onError?.(error, { kind: 'heartbeat' }));
      },
      Math.max(200, Math.floor(task.heartbeatMs / 3)),
    );
    try {
      await progress(0, 'started');
      const outputs = await this.handlers.onTask(task, {
        progress,
        useTool: async (tool, purpose) => {
          await this.request('tool', { orgId, taskId, tool, ...(purpose ? { purpose } : {}) });
        },
        signal: controller.signal,
      });
      clearInterval(heartbeat);
      if (controller.signal.aborted) return;
      await this.request('inform', { orgId, taskId, outputs }, `inform:${taskId}:${task.attempt}`);
    } catch (error) {
      clearInterval(heartbeat);
      if (controller.signal.aborted) return;
      const reason = (error instanceof Error ? error.message : String(error)).slice(0, 900) || 'the agent failed';
      await this.request('failure', { orgId, taskId, attempt: task.attempt, reason }, `failure:${taskId}:${task.attempt}`).catch((failure: unknown) =>
        this.handlers.onError?.(failure, { kind: 'failure' }),
      );
      this.handlers.onError?.(error, { kind: 'task' });
    } finally {
      clearInterval(heartbeat);
      this.running.delete(taskId);
    }
  }
}
