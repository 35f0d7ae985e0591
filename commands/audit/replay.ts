import { setImmediate as nextTurn } from 'node:timers/promises';
import { orgStateAsOf, orgTimelines, positionAtTime, type Cut, type JobSpaceScope } from '../../domain/audit/as-of.ts';
import { currentBuiltIns, hashed } from '../../domain/audit/policies.ts';
import type { RecordedDecision } from '../../domain/audit/recorded.ts';
import { ReevaluationTally, ReplayContext, reevaluateDecision } from '../../domain/audit/reevaluate.ts';
import type { ReevaluationReport, ReplayRange, WhatIfReport } from '../../domain/audit/report.ts';
import { stateView, type StateView } from '../../domain/audit/state-view.ts';
import { checkStructure, hasStructureChanges, type StructureChanges } from '../../domain/audit/structure.ts';
import { rosterStream } from '../../domain/roster/events.ts';
import { draftWithPlatform, WhatIfTally, whatIfDecision, type WhatIfDraft } from '../../domain/audit/what-if.ts';
import { policyDecider } from '../../domain/policy/decider.ts';
import { policyStream } from '../../domain/policy/events.ts';
import { StreamTimeline } from '../../domain/audit/timeline.ts';
import { validatePolicySet } from '../../domain/policy/validate.ts';
import { appError, type AppError } from '../../domain/shared/app-error.ts';
import { knownActions } from '../known-actions.ts';
import { StructureReplayer } from './structure-replay.ts';
import { builtInsFromLog, instantAtPosition, loadOrgHistory, orgDecisions, readDecodedStream, type AuditSource } from './reader.ts';

/** Most decisions one call looks at: bounds the work (and the time) of one request. Page on with `next`. */
export const MAX_DECISIONS_PER_CALL = 100_000;
/** Most items of each kind a report lists (every item is counted); the default. */
export const DEFAULT_MAX_ITEMS = 1_000;
export const MAX_ITEMS = 10_000;
/** Decisions between two yields to the event loop, so a long replay does not stall the server. */
const YIELD_EVERY = 1_000;

export interface RangeQuery {
  /** Inclusive positions. */
  from?: bigint;
  to?: bigint;
  /** Inclusive ISO-8601 instants: decisions recorded in [since, until]. */
  since?: string;
  until?: string;
  /** At most this many decisions (default and maximum MAX_DECISIONS_PER_CALL). */
  limit?: number;
  maxItems?: number;
}

/**
 * Runs `visit` over the org's decisions in the range, up to `limit`, and says where it stopped. `head` caps the
 * range: what is appended while a replay runs is not part of it.
 */
async function replayRange(
  source: AuditSource,
  orgId: string,
  head: bigint,
  query: RangeQuery,
  visit: (decision: RecordedDecision) => void | Promise<void>,
): Promise<ReplayRange> {
  const limit = Math.min(query.limit ?? MAX_DECISIONS_PER_CALL, MAX_DECISIONS_PER_CALL);
  const to = query.to === undefined || query.to > head ? head : query.to;
  let count = 0;
  let first: bigint | null = null;
  let last: bigint | null = null;
  let next: bigint | null = null;
  const window = {
    from: query.from ?? null,
    to,
    since: query.since === undefined ? null : Date.parse(query.since),
    until: query.until === undefined ? null : Date.parse(query.until),
  };
  for await (const decision of orgDecisions(source, orgId, window)) {
    if (count >= limit) {
      next = decision.position;
      break;
    }
    await visit(decision);
    count += 1;
    first ??= decision.position;
    last = decision.position;
    if (count % YIELD_EVERY === 0) await nextTurn();
  }
  return {
    from: query.from?.toString() ?? null,
    to: query.to?.toString() ?? null,
    since: query.since ?? null,
    until: query.until ?? null,
    head: head.toString(),
    limit,
    first: first?.toString() ?? null,
    last: last?.toString() ?? null,
    complete: next === null,
    next: next?.toString() ?? null,
  };
}

const maxItemsOf = (query: RangeQuery) => Math.max(0, Math.min(query.maxItems ?? DEFAULT_MAX_ITEMS, MAX_ITEMS));

/**
 * Re-evaluates every decision of the org in the range with its recorded request and policy version, and reports
 * which agree, which differ (and why), and which cannot be re-evaluated faithfully (and why).
 */
export async function reevaluateOrg(source: AuditSource, orgId: string, query: RangeQuery = {}): Promise<ReevaluationReport> {
  // The head first: the streams read next then hold everything any decision up to it can refer to.
  const head = await source.store.headPosition();
  const context = new ReplayContext(orgTimelines(await loadOrgHistory(source, orgId)), await builtInsFromLog(source));
  const tally = new ReevaluationTally(orgId, maxItemsOf(query));
  const structure = new StructureReplayer(source, orgId);
  const range = await replayRange(source, orgId, head, query, async (decision) => {
    const verdict = reevaluateDecision(context, decision);
    // A refusal by the org's structure is decided again by its aggregate on the state it records.
    const check = decision.data.result.status === 'refused-by-structure' ? checkStructure(decision, await structure.redecide(decision)) : undefined;
    tally.add(decision, verdict, check);
  });
  return tally.report(range);
}

export type DraftInput = { version: number } | { rules: unknown };

/** A draft version of the org's policy stream (any status), or rules given inline, validated as a draft would be. */
export async function resolveDraft(source: AuditSource, orgId: string, input: DraftInput): Promise<WhatIfDraft | AppError> {
  if ('version' in input) {
    const policy = new StreamTimeline(policyDecider, await readDecodedStream(source, policyStream(orgId)));
    const drafted = policy.stateAfter(policy.length).versions.get(input.version);
    if (!drafted) return appError('not_found', 'POLICY_VERSION_NOT_FOUND', `policy version ${input.version} does not exist`, { orgId, version: input.version });
    return { source: 'version', version: drafted.version, rules: drafted.rules, hash: drafted.hash };
  }
  const validated = validatePolicySet(input.rules, knownActions());
  if (!validated.ok) return appError('invalid', 'POLICY_INVALID', 'the policy set has errors', { errors: validated.errors });
  const { rules, hash } = hashed(validated.rules);
  return { source: 'inline', version: null, rules, hash };
}

const NO_DRAFT = 'no draft policy: only the structure changes';

/**
 * Evaluates the draft (if any) against the recorded requests of the range and lists what would flip; with structure
 * changes, also decides every command on the org's roster that was applied or refused by the structure again on the
 * changed roster, and lists the results that would flip.
 */
export async function whatIfOrg(
  source: AuditSource,
  orgId: string,
  draft: WhatIfDraft | null,
  query: RangeQuery = {},
  changes?: StructureChanges,
): Promise<WhatIfReport> {
  const head = await source.store.headPosition();
  const rules = draft === null ? null : draftWithPlatform(draft, currentBuiltIns);
  const structural = hasStructureChanges(changes) ? changes : null;
  const tally = new WhatIfTally(orgId, draft, maxItemsOf(query), currentBuiltIns.platform.hash, structural);
  const structure = new StructureReplayer(source, orgId);
  const roster = rosterStream(orgId);
  const range = await replayRange(source, orgId, head, query, async (decision) => {
    tally.add(decision, rules === null ? { status: 'skipped', reason: NO_DRAFT } : whatIfDecision(rules, decision));
    const { result } = decision.data;
    if (structural !== null && (result.status === 'applied' || result.status === 'refused-by-structure') && result.basis.streamId === roster) {
      tally.addStructure(decision, await structure.redecide(decision, structural));
    }
  });
  return tally.report(range);
}

export type StateCutQuery = { position: bigint } | { at: string } | Record<string, never>;

export interface StateQuery {
  cut: StateCutQuery;
  subject?: { subjectId: string; jobSpace: JobSpaceScope };
  /** The instant a cut at the head stands for (default: the clock's now). */
  now?: () => Date;
}

/**
 * The org (org stream), its roster and its policy sets as of a position or an instant, with effective roles at that
 * instant. A position beyond the head is refused: the answer must not change as the log grows.
 */
export async function orgStateAt(source: AuditSource, orgId: string, query: StateQuery): Promise<StateView | AppError> {
  const head = await source.store.headPosition();
  const history = await loadOrgHistory(source, orgId);
  let cut: Cut;
  if ('position' in query.cut) {
    const { position } = query.cut;
    if (position > head) {
      return appError('unprocessable', 'POSITION_NOT_REACHED', `position ${position} is beyond the head of the log (${head})`, {
        position: position.toString(),
        head: head.toString(),
      });
    }
    cut = { by: 'position', position, at: (await instantAtPosition(source, position)) ?? new Date(0).toISOString() };
  } else if ('at' in query.cut) {
    const { at } = query.cut;
    const events = [...history.org, ...history.roster, ...history.policy].filter((event) => event.position <= head);
    cut = { by: 'time', position: positionAtTime(events, at), at: new Date(Date.parse(at)).toISOString() };
  } else {
    cut = { by: 'head', position: head, at: (query.now ?? (() => new Date()))().toISOString() };
  }
  const state = orgStateAsOf(orgTimelines(history), cut);
  return stateView(state, head, query.subject);
}
