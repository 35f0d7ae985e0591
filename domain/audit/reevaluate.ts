import { evaluatePolicy } from '../policy/evaluate.ts';
import type { PolicyDecision, PolicyRequest, PolicyRule, RuleEvaluation } from '../policy/types.ts';
import type { DecisionRecordedData } from '../policy/decision-events.ts';
import { effectiveRoles } from '../roster/effective-roles.ts';
import { canonicalJson } from '../shared/canonical-json.ts';
import { effectivePolicyRef, type OrgTimelines } from './as-of.ts';
import { builtInRules, currentBuiltIns, RecordedRules, short, type BuiltInPolicies } from './policies.ts';
import { recordedRequest, refOf, viewOf, type DecisionView, type RecordedDecision } from './recorded.ts';
import type { StructureCheck } from './structure.ts';
import {
  pushCapped,
  type Difference,
  type DifferedItem,
  type DriftedItem,
  type ReevaluationReport,
  type ReplayRange,
  type StructureNotReplayedItem,
  type UnverifiableCode,
  type UnverifiableItem,
  type WarningItem,
} from './report.ts';

/** Everything re-evaluation needs besides the decisions: the org's streams and the built-in rule sets. */
export class ReplayContext {
  readonly rules: RecordedRules;
  private readonly combined = new WeakMap<readonly PolicyRule[], WeakMap<readonly PolicyRule[], readonly PolicyRule[]>>();

  constructor(
    readonly timelines: OrgTimelines,
    readonly builtIns: BuiltInPolicies = currentBuiltIns,
  ) {
    // Drafted versions never change, so the policy stream's head has every version any decision can name.
    this.rules = new RecordedRules(timelines.policy.stateAfter(timelines.policy.length), builtIns);
  }

  /** A platform rule set with an org rule set, as the pipeline evaluates them (one array per pair). */
  withPlatform(orgRules: readonly PolicyRule[], platformRules: readonly PolicyRule[] = this.builtIns.platform.rules): readonly PolicyRule[] {
    let byPlatform = this.combined.get(orgRules);
    if (byPlatform === undefined) {
      byPlatform = new WeakMap();
      this.combined.set(orgRules, byPlatform);
    }
    let rules = byPlatform.get(platformRules);
    if (rules === undefined) {
      rules = [...platformRules, ...orgRules];
      byPlatform.set(platformRules, rules);
    }
    return rules;
  }
}

export type Verdict =
  | { status: 'agreed'; drift: Difference[]; warnings: WarningItem[] }
  | { status: 'differed'; replayed: PolicyDecision; differences: Difference[]; explanation: string; warnings: WarningItem[] }
  | { status: 'unverifiable'; code: UnverifiableCode; reason: string; warnings: WarningItem[] };

/**
 * Evaluates a recorded decision again: the RECORDED request (validated back into a PolicyRequest) against the
 * platform policy and the RECORDED org policy version, then compares with what was recorded. Also checks the one
 * input whose source revision the decision records: the principal's effective roles and groups must be what the
 * roster at `rosterRevision` gives at the request's instant, in its job space. A decision made under a platform
 * (or default) policy other than the code's is not reproducible, and is reported so rather than compared.
 */
export function reevaluateDecision(context: ReplayContext, decision: RecordedDecision): Verdict {
  const warnings = inputWarnings(context, decision);
  const parsed = recordedRequest(decision.data);
  if (!parsed.ok) return { status: 'unverifiable', code: 'REQUEST_INVALID', reason: parsed.message, warnings };
  const { request } = parsed;

  const resolved = context.rules.resolve(decision);
  if (!resolved.ok) return { status: 'unverifiable', code: resolved.code, reason: resolved.reason, warnings };
  const platformRules = builtInRules(context.builtIns, 'platform', decision.data.platformPolicyHash);
  if (platformRules === undefined) {
    return {
      status: 'unverifiable',
      code: 'PLATFORM_POLICY_CHANGED',
      reason: `not reproducible: platform policy changed (recorded ${short(decision.data.platformPolicyHash)}, the code now has ${short(context.builtIns.platform.hash)})`,
      warnings,
    };
  }

  const rules = context.withPlatform(resolved.rules, platformRules);
  const replayed = evaluatePolicy(rules, request);
  const { differences, drift } = compareDecisions(decision.data, replayed);

  const roles = checkRoles(context, decision.data, request);
  if (roles.length > 0) {
    const withLogRoles = evaluatePolicy(rules, withPrincipal(request, roles));
    differences.push(...roles);
    return { status: 'differed', replayed, differences, explanation: explainRoles(decision.data, roles, withLogRoles), warnings };
  }
  if (differences.length > 0)
    return { status: 'differed', replayed, differences, explanation: explainDecision(decision.data, replayed, differences), warnings };
  return { status: 'agreed', drift, warnings };
}

/**
 * Differences that change the decision (outcome, determining rules, reasons, escalation, any rule's outcome, which
 * conditions errored), and drift: the same decision with other wording of a condition error.
 */
export function compareDecisions(recorded: DecisionRecordedData, replayed: PolicyDecision): { differences: Difference[]; drift: Difference[] } {
  const differences: Difference[] = [];
  const drift: Difference[] = [];
  const differ = (field: string, a: unknown, b: unknown) => {
    if (canonicalJson(a) !== canonicalJson(b)) differences.push({ field, recorded: a, replayed: b });
  };
  differ('outcome', recorded.outcome, replayed.outcome);
  differ('determiningRuleIds', recorded.determiningRuleIds, replayed.determiningRuleIds);
  differ('reasons', recorded.reasons, replayed.reasons);
  differ('escalateTo', recorded.escalateTo, replayed.escalateTo);

  const shape = (evaluation: Pick<RuleEvaluation, 'ruleId' | 'effect' | 'outcome' | 'detail'>) =>
    `${evaluation.ruleId}\u0000${evaluation.effect}\u0000${describeEvaluation(evaluation)}`;
  const recordedShapes = recorded.evaluations.map(shape);
  const replayedShapes = replayed.evaluations.map(shape);
  if (recordedShapes.join('\u0001') !== replayedShapes.join('\u0001')) {
    const before = new Set(replayedShapes);
    const after = new Set(recordedShapes);
    differences.push({
      field: 'evaluations',
      recorded: recorded.evaluations.filter((evaluation) => !before.has(shape(evaluation))).map(evaluationText),
      replayed: replayed.evaluations.filter((evaluation) => !after.has(shape(evaluation))).map(evaluationText),
    });
  } else if (canonicalJson(recorded.evaluations.map((e) => e.detail ?? null)) !== canonicalJson(replayed.evaluations.map((e) => e.detail ?? null))) {
    drift.push({ field: 'evaluations.detail', recorded: recorded.evaluations.map(evaluationText), replayed: replayed.evaluations.map(evaluationText) });
  }

  const errorShape = (error: { ruleId: string; condition: string }) => `${error.ruleId}.${error.condition}`;
  const recordedErrors = recorded.errors.map(errorShape);
  const replayedErrors = replayed.errors.map(errorShape);
  if (recordedErrors.join(',') !== replayedErrors.join(',')) {
    differences.push({ field: 'errors', recorded: recordedErrors, replayed: replayedErrors });
  } else if (canonicalJson(recorded.errors) !== canonicalJson(replayed.errors)) {
    drift.push({ field: 'errors.message', recorded: recorded.errors, replayed: replayed.errors });
  }
  return { differences, drift };
}

/** `applies`, `not-applicable (when)`, `error (when)`: a rule's outcome without an error's wording. */
function describeEvaluation(evaluation: Pick<RuleEvaluation, 'outcome' | 'detail'>): string {
  if (evaluation.outcome === 'applies') return 'applies';
  if (evaluation.outcome === 'not-applicable') return `not-applicable (${evaluation.detail ?? '?'})`;
  const condition = evaluation.detail?.startsWith('unless:') ? 'unless' : evaluation.detail?.startsWith('when:') ? 'when' : '?';
  return `error (${condition})`;
}

function evaluationText(evaluation: Pick<RuleEvaluation, 'ruleId' | 'effect' | 'outcome' | 'detail'>): string {
  return `${evaluation.ruleId} (${evaluation.effect}): ${evaluation.outcome === 'error' ? `error: ${evaluation.detail ?? ''}` : describeEvaluation(evaluation)}`;
}

/** The principal's roles and groups as the roster at the recorded revision gives them, when they differ from the recorded ones. */
function checkRoles(context: ReplayContext, recorded: DecisionRecordedData, request: PolicyRequest): Difference[] {
  // Platform principals hold platform roles, which no roster grants.
  if (request.principal.kind !== 'subject') return [];
  let expected: { roles: readonly string[]; groups: readonly string[] } = { roles: [], groups: [] };
  if (recorded.rosterRevision !== null) {
    if (!/^-?\d{1,20}$/.test(recorded.rosterRevision)) {
      return [{ field: 'rosterRevision', recorded: recorded.rosterRevision, replayed: 'not a revision' }];
    }
    const revision = BigInt(recorded.rosterRevision);
    const roster = context.timelines.roster;
    if (revision > roster.head) {
      return [{ field: 'rosterRevision', recorded: recorded.rosterRevision, replayed: `the roster stream ends at revision ${roster.head}` }];
    }
    expected = effectiveRoles(roster.stateAtRevision(revision), request.principal.id, request.now, request.resource.jobSpace);
  }
  const differences: Difference[] = [];
  if (canonicalJson(request.principal.roles) !== canonicalJson(expected.roles)) {
    differences.push({ field: 'request.principal.roles', recorded: request.principal.roles, replayed: expected.roles });
  }
  if (canonicalJson(request.principal.groups) !== canonicalJson(expected.groups)) {
    differences.push({ field: 'request.principal.groups', recorded: request.principal.groups, replayed: expected.groups });
  }
  return differences;
}

function withPrincipal(request: PolicyRequest, differences: readonly Difference[]): PolicyRequest {
  const replayed = (field: string, fallback: readonly string[]) => {
    const value = differences.find((difference) => difference.field === field)?.replayed;
    return Array.isArray(value) ? value.map(String) : fallback;
  };
  return {
    ...request,
    principal: {
      ...request.principal,
      roles: replayed('request.principal.roles', request.principal.roles),
      groups: replayed('request.principal.groups', request.principal.groups),
    },
  };
}

function by(decision: Pick<PolicyDecision, 'outcome' | 'determiningRuleIds'>): string {
  if (decision.determiningRuleIds.length === 0) return decision.outcome === 'not-permitted' ? ' (no rule permits it)' : '';
  return ` by ${decision.determiningRuleIds.join(', ')}`;
}

function explainDecision(recorded: DecisionRecordedData, replayed: PolicyDecision, differences: readonly Difference[]): string {
  const fields = new Set(differences.map((difference) => difference.field));
  if (fields.has('outcome')) return `recorded ${recorded.outcome}${by(recorded)}, but re-evaluation gives ${replayed.outcome}${by(replayed)}`;
  if (fields.has('determiningRuleIds')) {
    return `both ${recorded.outcome}, but recorded${by(recorded)} and re-evaluated${by(replayed)}`;
  }
  if (fields.has('reasons') || fields.has('escalateTo')) {
    return `same outcome and rules, but the reasons or escalation differ: the rule texts are not those the decision saw`;
  }
  const evaluations = differences.find((difference) => difference.field === 'evaluations');
  if (evaluations) {
    return `same outcome, but rule outcomes differ: recorded ${JSON.stringify(evaluations.recorded)}, re-evaluated ${JSON.stringify(evaluations.replayed)}`;
  }
  return `same outcome, but conditions errored differently: recorded ${JSON.stringify(differences[0]?.recorded)}, re-evaluated ${JSON.stringify(differences[0]?.replayed)}`;
}

function explainRoles(recorded: DecisionRecordedData, roles: readonly Difference[], withLogRoles: PolicyDecision): string {
  const shown = roles.map(
    (difference) => `${difference.field} recorded ${JSON.stringify(difference.recorded)}, the roster gives ${JSON.stringify(difference.replayed)}`,
  );
  const consequence =
    withLogRoles.outcome === recorded.outcome
      ? `with the roster's roles the outcome would be the same (${withLogRoles.outcome})`
      : `with the roster's roles it would be ${withLogRoles.outcome}${by(withLogRoles)}, not ${recorded.outcome}`;
  return `the recorded inputs are not what the log gives (roster revision ${String(recorded.rosterRevision)}): ${shown.join('; ')}; ${consequence}`;
}

/**
 * Best-effort checks of inputs a decision does not pin to a stream revision: the org's facts and the policy version
 * in force, compared with the org and policy streams as of the decision's own position. A change committed between
 * the decision's reads and its append (another stream's command, or another process) shows up here too, so these
 * are warnings, not differences.
 */
function inputWarnings(context: ReplayContext, decision: RecordedDecision): WarningItem[] {
  const warnings: WarningItem[] = [];
  const { data } = decision;
  const warn = (code: WarningItem['code'], message: string) =>
    warnings.push({ decisionId: data.decisionId, position: decision.position.toString(), action: data.action, code, message });
  const org = context.timelines.org.stateAtPosition(decision.position).state;
  const policy = context.timelines.policy.stateAtPosition(decision.position).state;

  const request = data.request.org;
  const expectedOrg = {
    id: data.orgId,
    status: org?.status ?? null,
    ownerId: org?.owner.id ?? null,
    tags: org?.tags ?? [],
    metadata: org?.metadata ?? {},
  };
  if (canonicalJson(request ?? null) !== canonicalJson(expectedOrg)) {
    warn(
      'ORG_FACTS_DIFFER',
      `the request's org facts ${JSON.stringify(request)} are not the org stream's at position ${decision.position}: ${JSON.stringify(expectedOrg)}`,
    );
  }
  const inForce = effectivePolicyRef(org, policy);
  if (inForce.source !== data.policy.source || inForce.version !== data.policy.version) {
    warn(
      'POLICY_NOT_IN_FORCE',
      `recorded policy ${describePolicy(data.policy)}, but at position ${decision.position} the log had ${describePolicy(inForce)} in force`,
    );
  }
  return warnings;
}

function describePolicy(policy: { source: string; version: number | null }): string {
  return policy.source === 'org' ? `org version ${policy.version}` : policy.source;
}

/** Adds up verdicts into a report, listing at most `maxItems` of each kind of item. */
export class ReevaluationTally {
  private total = 0;
  private agreed = 0;
  private readonly counts = { differed: 0, unverifiable: 0, drifted: 0, warnings: 0 };
  private readonly unverifiableByCode: Record<string, number> = {};
  private readonly byAction: Record<string, { total: number; agreed: number; differed: number; unverifiable: number }> = {};
  private readonly differed: DifferedItem[] = [];
  private readonly unverifiable: UnverifiableItem[] = [];
  private readonly drifted: DriftedItem[] = [];
  private readonly warnings: WarningItem[] = [];
  private readonly structure = {
    checked: 0,
    agreed: 0,
    differed: 0,
    notReplayed: 0,
    notReplayedByCode: {} as Record<string, number>,
    notReplayedItems: [] as StructureNotReplayedItem[],
  };

  constructor(
    private readonly orgId: string,
    private readonly maxItems: number,
    private readonly platformPolicyHash: string = currentBuiltIns.platform.hash,
  ) {}

  /**
   * Adds a decision's verdict; `structure`: for a refusal by the org's structure, that refusal decided again on the
   * state it records. A structure that answers otherwise makes the decision differ, whatever the policy said.
   */
  add(decision: RecordedDecision, verdict: Verdict, structure?: StructureCheck): void {
    if (structure !== undefined) this.addStructure(decision, structure);
    if (structure?.status === 'differed') {
      if (verdict.status === 'differed') {
        verdict = { ...verdict, differences: [...verdict.differences, structure.difference], explanation: `${verdict.explanation}; ${structure.explanation}` };
      } else if (verdict.status === 'agreed') {
        // The policy agreed: what it decided is what was recorded.
        this.total += 1;
        const action = this.countsFor(decision.data.action);
        action.total += 1;
        this.addWarnings(verdict.warnings);
        this.counts.differed += 1;
        action.differed += 1;
        const view = viewOf(decision.data);
        pushCapped(
          this.differed,
          { ...refOf(decision), recorded: view, replayed: view, differences: [structure.difference], explanation: structure.explanation },
          this.maxItems,
        );
        return;
      }
    }
    this.total += 1;
    const action = this.countsFor(decision.data.action);
    action.total += 1;
    this.addWarnings(verdict.warnings);
    const recorded = (): DecisionView => viewOf(decision.data);
    switch (verdict.status) {
      case 'agreed':
        this.agreed += 1;
        action.agreed += 1;
        if (verdict.drift.length > 0) {
          this.counts.drifted += 1;
          pushCapped(
            this.drifted,
            { ...refOf(decision), differences: verdict.drift, explanation: 'same decision; the wording of a condition error changed' },
            this.maxItems,
          );
        }
        return;
      case 'differed':
        this.counts.differed += 1;
        action.differed += 1;
        pushCapped(
          this.differed,
          { ...refOf(decision), recorded: recorded(), replayed: viewOf(verdict.replayed), differences: verdict.differences, explanation: verdict.explanation },
          this.maxItems,
        );
        return;
      case 'unverifiable':
        this.counts.unverifiable += 1;
        action.unverifiable += 1;
        this.unverifiableByCode[verdict.code] = (this.unverifiableByCode[verdict.code] ?? 0) + 1;
        pushCapped(this.unverifiable, { ...refOf(decision), code: verdict.code, reason: verdict.reason, recorded: recorded() }, this.maxItems);
        return;
    }
  }

  private countsFor(action: string) {
    const existing = this.byAction[action];
    if (existing) return existing;
    const counts = { total: 0, agreed: 0, differed: 0, unverifiable: 0 };
    this.byAction[action] = counts;
    return counts;
  }

  private addWarnings(warnings: readonly WarningItem[]): void {
    for (const warning of warnings) {
      this.counts.warnings += 1;
      pushCapped(this.warnings, warning, this.maxItems);
    }
  }

  private addStructure(decision: RecordedDecision, check: StructureCheck): void {
    this.structure.checked += 1;
    if (check.status === 'agreed') this.structure.agreed += 1;
    else if (check.status === 'differed') this.structure.differed += 1;
    else {
      this.structure.notReplayed += 1;
      this.structure.notReplayedByCode[check.code] = (this.structure.notReplayedByCode[check.code] ?? 0) + 1;
      pushCapped(this.structure.notReplayedItems, { ...refOf(decision), code: check.code, reason: check.reason }, this.maxItems);
    }
  }

  report(range: ReplayRange): ReevaluationReport {
    return {
      orgId: this.orgId,
      range,
      platformPolicyHash: this.platformPolicyHash,
      total: this.total,
      agreed: this.agreed,
      counts: { ...this.counts },
      unverifiableByCode: { ...this.unverifiableByCode },
      byAction: Object.fromEntries(Object.entries(this.byAction).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))),
      differed: [...this.differed],
      unverifiable: [...this.unverifiable],
      drifted: [...this.drifted],
      warnings: [...this.warnings],
      structure: { ...this.structure, notReplayedByCode: { ...this.structure.notReplayedByCode }, notReplayedItems: [...this.structure.notReplayedItems] },
      omitted: {
        differed: this.counts.differed - this.differed.length,
        unverifiable: this.counts.unverifiable - this.unverifiable.length,
        drifted: this.counts.drifted - this.drifted.length,
        warnings: this.counts.warnings - this.warnings.length,
        structureNotReplayed: this.structure.notReplayed - this.structure.notReplayedItems.length,
      },
      maxItems: this.maxItems,
    };
  }
}
