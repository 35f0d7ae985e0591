import { currentBuiltIns, type BuiltInPolicies } from '../../domain/audit/policies.ts';
import { hashPolicyRules } from '../../domain/policy/hash.ts';
import type { PolicyRule } from '../../domain/policy/types.ts';
import type { PlatformEventRegistry } from '../../domain/events/catalog.ts';
import { orgStream } from '../../domain/org/decider.ts';
import { decisionEventDefinitions } from '../../domain/policy/decision-events.ts';
import { policyStream } from '../../domain/policy/events.ts';
import { rosterStream } from '../../domain/roster/events.ts';
import type { OrgHistory } from '../../domain/audit/as-of.ts';
import type { RecordedDecision } from '../../domain/audit/recorded.ts';
import type { LogPlace, LoggedEvent } from '../../domain/audit/timeline.ts';
import { StreamNotFoundError } from '../../infra/eventstore/errors.ts';
import type { EventStore, RecordedEvent } from '../../infra/eventstore/port.ts';

/** Where audit replay reads from: the log and the registry that decodes (upcasts, validates) its events. */
export interface AuditSource {
  store: EventStore;
  registry: PlatformEventRegistry;
}

const DECISION_RECORDED = 'DecisionRecorded';
const decisionSchemaVersion = decisionEventDefinitions[0].schemaVersion;

/** When an event happened: its `metadata.occurredAt` (the deciding pipeline's clock), else the store's write time. */
export function occurredAtOf(event: RecordedEvent): string {
  const occurredAt = event.metadata.occurredAt;
  return typeof occurredAt === 'string' && !Number.isNaN(Date.parse(occurredAt)) ? occurredAt : event.created.toISOString();
}

function logged(source: AuditSource, event: RecordedEvent): LoggedEvent {
  // Placed onto the decoded event rather than spread into a new object: a spread of ~thousands of events per request
  // copied every field and cost audit reads about a third of their time (bench: audit.state).
  const place: LogPlace = { streamId: event.streamId, revision: event.revision, position: event.position, occurredAt: occurredAtOf(event) };
  return Object.assign(source.registry.decode(event.type, event.data, event.metadata), place);
}

/** Every event of a stream, decoded, in revision order; none when the stream does not exist. */
export async function readDecodedStream(source: AuditSource, streamId: string): Promise<LoggedEvent[]> {
  const events: LoggedEvent[] = [];
  try {
    for await (const event of source.store.readStream(streamId)) events.push(logged(source, event));
  } catch (error) {
    if (!(error instanceof StreamNotFoundError)) throw error;
  }
  return events;
}

/** The org's governance streams (org, roster, policy), read whole. */
export async function loadOrgHistory(source: AuditSource, orgId: string): Promise<OrgHistory> {
  const [org, roster, policy] = await Promise.all([
    readDecodedStream(source, orgStream(orgId)),
    readDecodedStream(source, rosterStream(orgId)),
    readDecodedStream(source, policyStream(orgId)),
  ]);
  return { orgId, org, roster, policy };
}

/** When the log stood at `position`: the time of the last event at or before it; null for an empty log. */
export async function instantAtPosition(source: AuditSource, position: bigint): Promise<string | null> {
  for await (const event of source.store.readAll({ direction: 'backwards', fromPosition: position, maxCount: 1 })) return occurredAtOf(event);
  return null;
}

export interface DecisionWindow {
  /** Inclusive. */
  from: bigint | null;
  /** Inclusive. */
  to: bigint;
  /** Epoch ms, inclusive: decisions recorded at or after. */
  since: number | null;
  /** Epoch ms, inclusive: decisions recorded at or before. */
  until: number | null;
}

/**
 * The org's DecisionRecorded events in a window, in log order. Decisions live in many streams (the changed stream
 * when permitted, `audit-<orgId>` when denied, a child org's stream for a parent's consent, a subject's stream for a
 * capability verified in the org's name), so this reads every decision of the log in the window and keeps those
 * whose `data.orgId` is the org's: a decision made with `alsoAuthorize` is two events, each with its own org.
 * An event of the current schema version is skipped on its raw `orgId` before it is decoded.
 */
export async function* orgDecisions(source: AuditSource, orgId: string, window: DecisionWindow): AsyncGenerator<RecordedDecision> {
  const iterable = source.store.readAll({ fromPosition: window.from ?? 'start', filter: { eventTypes: [DECISION_RECORDED] } });
  for await (const event of iterable) {
    if (event.position > window.to) return;
    if (event.metadata.schemaVersion === decisionSchemaVersion && event.data.orgId !== orgId) continue;
    const decoded = source.registry.decode(event.type, event.data, event.metadata);
    if (decoded.type !== 'DecisionRecorded' || decoded.data.orgId !== orgId) continue;
    const { data } = decoded;
    const occurredAt = occurredAtOf(event);
    if (window.since !== null || window.until !== null) {
      const at = Date.parse(occurredAt);
      if (window.since !== null && at < window.since) continue;
      if (window.until !== null && at > window.until) continue;
    }
    const commandId = typeof event.metadata.commandId === 'string' ? event.metadata.commandId : null;
    yield { position: event.position, streamId: event.streamId, occurredAt, commandId, data };
  }
}

/**
 * The built-in rule sets: the running code's, plus every earlier one the platform recorded in the log, by hash, so
 * decisions made before a change of the built-in policies can still be re-evaluated.
 */
export async function builtInsFromLog(source: AuditSource): Promise<BuiltInPolicies> {
  const platform = new Map<string, readonly PolicyRule[]>();
  const defaultOrg = new Map<string, readonly PolicyRule[]>();
  for await (const event of source.store.readAll({ filter: { eventTypes: ['BuiltinPolicyRecorded'], streamPrefixes: ['builtinpolicy-'] } })) {
    const decoded = source.registry.decode(event.type, event.data, event.metadata);
    if (decoded.type !== 'BuiltinPolicyRecorded') continue;
    const { data } = decoded;
    const rules: readonly PolicyRule[] = data.rules;
    if (hashPolicyRules(rules) !== data.hash) continue;
    (data.kind === 'platform' ? platform : defaultOrg).set(data.hash, rules);
  }
  return { ...currentBuiltIns, history: { platform, defaultOrg } };
}
