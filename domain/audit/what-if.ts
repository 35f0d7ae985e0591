import { evaluatePolicy } from '../policy/evaluate.ts';
import type { PolicyDecision, PolicyRule } from '../policy/types.ts';
import { currentBuiltIns, type BuiltInPolicies } from './policies.ts';
import { recordedRequest, refOf, viewOf, type RecordedDecision } from './recorded.ts';
import { resultView, structureFlip, type StructureChanges, type StructureReplay } from './structure.ts';
import { pushCapped, type FlipEffect, type FlipItem, type ReplayRange, type WhatIfReport } from './report.ts';

/** A draft: the rules to evaluate in place of the org rules each decision was made with. */
export interface WhatIfDraft {
  source: 'version' | 'inline';
  version: number | null;
  rules: readonly PolicyRule[];
  hash: string;
}

export type WhatIfVerdict =
  | { status: 'skipped'; reason: string }
  | { status: 'unchanged'; sameRules: boolean; hypothetical: PolicyDecision }
  | { status: 'flipped'; kind: string; effect: FlipEffect; hypothetical: PolicyDecision; platformPolicyChanged: boolean };

/** The rules a what-if evaluates: the platform policy (the running code's) with the draft. */
export function draftWithPlatform(draft: WhatIfDraft, builtIns: BuiltInPolicies = currentBuiltIns): readonly PolicyRule[] {
  return [...builtIns.platform.rules, ...draft.rules];
}

/**
 * Evaluates a recorded request with the draft in place of the org rules it was decided with (the platform policy
 * kept: `rules` is `draftWithPlatform(draft)`), and says whether the outcome would change. Decisions no org policy
 * applied to (source `none`: the org did not exist yet) are skipped: no org policy can govern them.
 */
export function whatIfDecision(rules: readonly PolicyRule[], decision: RecordedDecision, builtIns: BuiltInPolicies = currentBuiltIns): WhatIfVerdict {
  if (decision.data.policy.source === 'none') return { status: 'skipped', reason: 'no org policy applied, the org did not exist yet' };
  const parsed = recordedRequest(decision.data);
  if (!parsed.ok) return { status: 'skipped', reason: 'the recorded request is invalid' };
  const hypothetical = evaluatePolicy(rules, parsed.request);
  const recorded = decision.data;
  if (hypothetical.outcome === recorded.outcome) {
    const sameRules = hypothetical.determiningRuleIds.join('\u0000') === recorded.determiningRuleIds.join('\u0000');
    return { status: 'unchanged', sameRules, hypothetical };
  }
  const effect: FlipEffect = recorded.outcome === 'permitted' ? 'now-denied' : hypothetical.outcome === 'permitted' ? 'now-permitted' : 'still-denied';
  return {
    status: 'flipped',
    kind: `${recorded.outcome}->${hypothetical.outcome}`,
    effect,
    hypothetical,
    platformPolicyChanged: recorded.platformPolicyHash !== builtIns.platform.hash,
  };
}

const NOTES = [
  "Each recorded request is evaluated as it was recorded (the principal's roles, the org, the command, the instant); later history is not re-simulated: a command that would now be permitted would still have faced the domain's own checks, and what it would have changed is not played forward.",
  "The draft replaces the org rules of every decision in the range, whichever version was in force then; the platform policy is the running code's.",
];

const STRUCTURE_NOTE =
  "Structure changes: every command on the org's roster that was applied or refused by the structure is decided again by the roster on the state it was decided on (result.basis), with the changes applied; other streams' commands, and commands the policy refused, are not decided again. History is not re-simulated: a grant that would now be applied does not fill the role for the later ones.";

/** Adds up what-if verdicts into a report. */
export class WhatIfTally {
  private total = 0;
  private evaluated = 0;
  private skipped = 0;
  private readonly skippedByReason: Record<string, number> = {};
  private unchanged = 0;
  private sameOutcomeOtherRules = 0;
  private flipped = 0;
  private readonly effects = { nowDenied: 0, nowPermitted: 0, stillDenied: 0 };
  private readonly byKind: Record<string, number> = {};
  private readonly byAction: Record<string, { evaluated: number; flipped: number; nowDenied: number; nowPermitted: number; stillDenied: number }> = {};
  private readonly flips: FlipItem[] = [];
  private platformChanged = false;
  private readonly structure: WhatIfReport['structure'];

  constructor(
    private readonly orgId: string,
    private readonly draft: WhatIfDraft | null,
    private readonly maxItems: number,
    private readonly platformPolicyHash: string = currentBuiltIns.platform.hash,
    changes: StructureChanges | null = null,
  ) {
    this.structure = {
      changes,
      evaluated: 0,
      unchanged: 0,
      flipped: 0,
      nowApplied: 0,
      nowRefused: 0,
      otherRefusal: 0,
      notReplayed: 0,
      notReplayedByCode: {},
      flips: [],
      omitted: 0,
    };
  }

  /** A past command on the roster decided again on the changed structure. */
  addStructure(decision: RecordedDecision, replay: StructureReplay): void {
    const structure = this.structure;
    if (!replay.replayed) {
      structure.notReplayed += 1;
      structure.notReplayedByCode[replay.code] = (structure.notReplayedByCode[replay.code] ?? 0) + 1;
      return;
    }
    structure.evaluated += 1;
    const effect = structureFlip(decision, replay);
    if (effect === null) {
      structure.unchanged += 1;
      return;
    }
    structure.flipped += 1;
    structure[effect === 'now-applied' ? 'nowApplied' : effect === 'now-refused' ? 'nowRefused' : 'otherRefusal'] += 1;
    const message = replay.result.status === 'refused' ? replay.result.message : null;
    pushCapped(structure.flips, { ...refOf(decision), effect, hypothetical: resultView(replay.result), message }, this.maxItems);
  }

  add(decision: RecordedDecision, verdict: WhatIfVerdict): void {
    this.total += 1;
    if (verdict.status === 'skipped') {
      this.skipped += 1;
      this.skippedByReason[verdict.reason] = (this.skippedByReason[verdict.reason] ?? 0) + 1;
      return;
    }
    this.evaluated += 1;
    const action = this.countsFor(decision.data.action);
    action.evaluated += 1;
    if (verdict.status === 'unchanged') {
      this.unchanged += 1;
      if (!verdict.sameRules) this.sameOutcomeOtherRules += 1;
      return;
    }
    this.flipped += 1;
    action.flipped += 1;
    const effectKey = verdict.effect === 'now-denied' ? 'nowDenied' : verdict.effect === 'now-permitted' ? 'nowPermitted' : 'stillDenied';
    this.effects[effectKey] += 1;
    action[effectKey] += 1;
    this.byKind[verdict.kind] = (this.byKind[verdict.kind] ?? 0) + 1;
    if (verdict.platformPolicyChanged) this.platformChanged = true;
    pushCapped(
      this.flips,
      {
        ...refOf(decision),
        kind: verdict.kind,
        effect: verdict.effect,
        recorded: viewOf(decision.data),
        hypothetical: viewOf(verdict.hypothetical),
        platformPolicyChanged: verdict.platformPolicyChanged,
      },
      this.maxItems,
    );
  }

  private countsFor(action: string) {
    const existing = this.byAction[action];
    if (existing) return existing;
    const counts = { evaluated: 0, flipped: 0, nowDenied: 0, nowPermitted: 0, stillDenied: 0 };
    this.byAction[action] = counts;
    return counts;
  }

  report(range: ReplayRange): WhatIfReport {
    const notes = [...NOTES];
    if (this.structure.changes !== null) notes.push(STRUCTURE_NOTE);
    if (this.platformChanged)
      notes.push(
        'Some flipped decisions were made under another platform policy (platformPolicyChanged): part of their flip may come from the platform policy, not the draft.',
      );
    const sorted = <T>(record: Record<string, T>) => Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    return {
      orgId: this.orgId,
      draft: this.draft === null ? null : { source: this.draft.source, version: this.draft.version, hash: this.draft.hash, rules: this.draft.rules.length },
      range,
      platformPolicyHash: this.platformPolicyHash,
      total: this.total,
      evaluated: this.evaluated,
      skipped: this.skipped,
      skippedByReason: { ...this.skippedByReason },
      unchanged: this.unchanged,
      sameOutcomeOtherRules: this.sameOutcomeOtherRules,
      flipped: this.flipped,
      ...this.effects,
      byKind: sorted(this.byKind),
      byAction: sorted(this.byAction),
      flips: [...this.flips],
      omitted: this.flipped - this.flips.length,
      structure: {
        ...this.structure,
        notReplayedByCode: { ...this.structure.notReplayedByCode },
        flips: [...this.structure.flips],
        omitted: this.structure.flipped - this.structure.flips.length,
      },
      maxItems: this.maxItems,
      notes,
    };
  }
}
