import { LRUCache } from 'lru-cache';
import { isAppError, type AppError } from '../../domain/shared/app-error.ts';
import type { Principal } from '../../domain/shared/principal.ts';
import type { BuiltPolicyRequest } from '../../commands/governance/policy-request.ts';
import type { StreamReader } from '../../commands/stream-loader.ts';
import { streamCategory } from '../../infra/eventstore/port.ts';
import type { ApiKeyIndex } from '../../projections/api-key-index.ts';
import { refuseSuspendedSubject, unknownApiKey } from '../auth/authenticate.ts';
import { authorizeRead } from '../read-access.ts';

/** The read actions that govern which events a stream may carry. */
export type EventReadAction = 'org.read' | 'roster.read' | 'policy.read' | 'audit.read' | 'job.read' | 'workflow.read' | 'tool.read';

/**
 * The read an event of an org amounts to, the same one the REST API asks for the same information, so that a stream
 * never shows what the principal could not read otherwise:
 * - DecisionRecorded (recorded with the change it permitted, in any stream) and `audit-` streams: `audit.read`;
 * - `roster-` streams: `roster.read`; `policy-` streams: `policy.read`; `workflow-` streams: `workflow.read`; `job-`, `contract-`, `task-`, `assignment-`
 *   and `timer-` streams (a job's work): `job.read`; `tool-` and `toolcall-` streams (tools and their calls): `tool.read`;
 * - everything else of the org (`org-`, slug reservations, command records, a subject's capability verified by
 *   the org): `org.read`.
 * With the default org policy (members read `*.read`) these are all the same answer; an org policy that lets some
 * role read the org but not its decisions is respected by the stream too.
 * Platform-level events (no org) are decided apart: `audit.read` outside any org (platform admins).
 */
export function readActionFor(event: { type: string; streamId: string }): EventReadAction {
  if (event.type === 'DecisionRecorded') return 'audit.read';
  switch (streamCategory(event.streamId)) {
    case 'audit':
      return 'audit.read';
    case 'roster':
      return 'roster.read';
    case 'policy':
      return 'policy.read';
    case 'workflow':
      return 'workflow.read';
    // The work of jobs: the REST and GraphQL reads of contracts, tasks, bids and their timers ask `job.read` too.
    case 'job':
    case 'contract':
    case 'task':
    case 'assignment':
    case 'timer':
      return 'job.read';
    case 'tool':
    case 'toolcall':
      return 'tool.read';
    default:
      return 'org.read';
  }
}

const RESOURCE_TYPE: Record<EventReadAction, string> = {
  'org.read': 'org',
  'roster.read': 'roster',
  'policy.read': 'policy',
  'audit.read': 'audit',
  'job.read': 'job',
  'workflow.read': 'workflow',
  'tool.read': 'tool',
};

export interface StreamAccessOptions {
  /** How long an answer (and the credential check) holds before it is decided again, a positive integer. Default 10 000 ms. */
  ttlMs?: number;
  /** Answers kept at most (the oldest decided dropped first). Default 1024. */
  maxEntries?: number;
  clock?: () => number;
}

/**
 * What one stream's principal may receive, decided by the policy engine (authorizeRead) once per org and action and
 * cached for a short time, so a revoked membership or a new forbid stops the flow within `ttlMs` while a busy
 * stream costs one decision per org every `ttlMs`. Events of the past are judged by today's rights: a stream shows
 * what the principal may read now.
 */
export class StreamAccess {
  private readonly ttlMs: number;
  private readonly clock: () => number;
  /** Read with `peek`, so that only a fresh decision counts as a use: the oldest decided answer goes first. */
  private readonly answers: LRUCache<string, boolean>;
  private credentialValidUntil = 0;

  constructor(
    private readonly reader: StreamReader,
    private readonly apiKeys: ApiKeyIndex,
    private readonly principal: Principal & { keyId: string },
    options: StreamAccessOptions = {},
  ) {
    this.ttlMs = options.ttlMs ?? 10_000;
    // lru-cache reads a ttl of 0 as "never expires": refused, as it would keep an answer for the stream's lifetime.
    if (!Number.isSafeInteger(this.ttlMs) || this.ttlMs < 1) throw new RangeError(`ttlMs must be a positive integer, got ${this.ttlMs}`);
    this.clock = options.clock ?? Date.now;
    // lru-cache takes an entry stamped at time 0 for one without a ttl, so its clock counts from 1 at construction
    // (an injected clock may well start at 0).
    const clock = this.clock;
    const origin = clock();
    this.answers = new LRUCache({ max: options.maxEntries ?? 1024, ttl: this.ttlMs, ttlResolution: 0, perf: { now: () => clock() - origin + 1 } });
  }

  /** One decision, uncached: for the up-front check of the orgs a filter names (its denial is the 403). */
  async decide(orgId: string | null, action: EventReadAction): Promise<BuiltPolicyRequest | AppError> {
    const decided = await authorizeRead(
      this.reader,
      { id: this.principal.id, kind: this.principal.kind },
      orgId === null
        ? { action, orgId: null, resource: { type: 'audit', id: 'platform' }, query: { type: 'StreamPlatformEvents', data: {} } }
        : { action, orgId, resource: { type: RESOURCE_TYPE[action], id: orgId }, query: { type: 'StreamEvents', data: { orgId } } },
    );
    this.remember(orgId, action, !isAppError(decided));
    return decided;
  }

  /** May the principal receive an event of `orgId` (null: a platform-level event) that amounts to `action`? */
  async allows(orgId: string | null, action: EventReadAction): Promise<boolean> {
    // Every platform-level event needs the platform's audit.read, whatever its kind.
    const effective: EventReadAction = orgId === null ? 'audit.read' : action;
    const cached = this.answers.peek(key(orgId, effective));
    if (cached !== undefined) return cached;
    return !isAppError(await this.decide(orgId, effective));
  }

  /**
   * Why the stream's credential is no longer good (its key revoked or rotated away: UNKNOWN_API_KEY, as a request
   * with it would be told; its subject suspended: SUBJECT_SUSPENDED), or null while it is. Checked at most once per
   * `ttlMs`; a stream whose credential went bad is ended with this reason.
   */
  async credentialRefusal(): Promise<AppError | null> {
    if (this.credentialValidUntil > this.clock()) return null;
    const owner = this.apiKeys.keyOwner(this.principal.keyId);
    if (!owner || owner.id !== this.principal.id || owner.kind !== this.principal.kind) return unknownApiKey();
    const suspended = await refuseSuspendedSubject(this.principal, this.reader);
    if (suspended) return suspended;
    this.credentialValidUntil = this.clock() + this.ttlMs;
    return null;
  }

  private remember(orgId: string | null, action: EventReadAction, allowed: boolean): void {
    this.answers.set(key(orgId, action), allowed);
  }
}

function key(orgId: string | null, action: EventReadAction): string {
  return `${orgId ?? ''}\u0000${action}`;
}
