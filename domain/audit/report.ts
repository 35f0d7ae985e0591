import { z } from 'zod';

/**
 * The shapes of audit replay's answers, as JSON (positions as decimal strings: EventStoreDB's are 64-bit). The API
 * documents its routes with them and the CLI checks the answers it reads against them.
 */
export const outcomeSchema = z.enum(['permitted', 'forbidden', 'not-permitted']);
const policySourceSchema = z.enum(['org', 'default', 'none']);

export const decisionViewSchema = z.object({
  outcome: outcomeSchema,
  determiningRuleIds: z.array(z.string()),
  reasons: z.array(z.string()),
  escalateTo: z.string().nullable(),
});

export const resultStatusSchema = z.enum(['applied', 'refused-by-policy', 'refused-by-structure', 'unrecorded']);

/** What became of a command, as reports show it: the status and, for a structural refusal, its code. */
export const resultViewSchema = z.object({
  status: resultStatusSchema,
  code: z.string().nullable().describe('for refused-by-structure: the refusal code, e.g. ROLE_MAX_HOLDERS'),
});
export type ResultView = z.infer<typeof resultViewSchema>;

export const decisionRefSchema = z.object({
  decisionId: z.string(),
  position: z.string().describe('global position of the DecisionRecorded event'),
  streamId: z.string().describe('where it was recorded: the changed stream when permitted, audit-<orgId> when denied'),
  occurredAt: z.string(),
  action: z.string(),
  principal: z.object({ id: z.string(), kind: z.string(), roles: z.array(z.string()).describe('effective roles recorded with the decision') }),
  policy: z.object({ source: policySourceSchema, version: z.int().nullable(), hash: z.string() }).describe('the org policy the decision recorded'),
  result: resultViewSchema.describe('what became of the command, as recorded'),
});

export const differenceSchema = z.object({
  field: z.string().describe('outcome, determiningRuleIds, reasons, escalateTo, evaluations, errors, request.principal.roles, request.principal.groups, ...'),
  recorded: z.unknown(),
  replayed: z.unknown(),
});
export type Difference = z.infer<typeof differenceSchema>;

export const unverifiableCodeSchema = z.enum([
  'REQUEST_INVALID',
  'PLATFORM_POLICY_CHANGED',
  'DEFAULT_POLICY_CHANGED',
  'POLICY_VERSION_UNKNOWN',
  'POLICY_HASH_MISMATCH',
]);
export type UnverifiableCode = z.infer<typeof unverifiableCodeSchema>;

export const structureNotReplayedCodeSchema = z.enum([
  'NO_BASIS',
  'REQUEST_INVALID',
  'COMMAND_UNKNOWN',
  'BASIS_NOT_IN_LOG',
  'CONTEXT_NOT_IN_LOG',
  'UNIQUE_KEY',
]);
export type StructureNotReplayedCode = z.infer<typeof structureNotReplayedCodeSchema>;

export const structureNotReplayedItemSchema = decisionRefSchema.extend({ code: structureNotReplayedCodeSchema, reason: z.string() });
export type StructureNotReplayedItem = z.infer<typeof structureNotReplayedItemSchema>;

export const warningCodeSchema = z.enum(['ORG_FACTS_DIFFER', 'POLICY_NOT_IN_FORCE']);
export type WarningCode = z.infer<typeof warningCodeSchema>;

export const differedItemSchema = decisionRefSchema.extend({
  recorded: decisionViewSchema,
  replayed: decisionViewSchema,
  differences: z.array(differenceSchema),
  explanation: z.string(),
});
export type DifferedItem = z.infer<typeof differedItemSchema>;

export const unverifiableItemSchema = decisionRefSchema.extend({ code: unverifiableCodeSchema, reason: z.string(), recorded: decisionViewSchema });
export type UnverifiableItem = z.infer<typeof unverifiableItemSchema>;

export const driftedItemSchema = decisionRefSchema.extend({ differences: z.array(differenceSchema), explanation: z.string() });
export type DriftedItem = z.infer<typeof driftedItemSchema>;

export const warningItemSchema = z.object({
  decisionId: z.string(),
  position: z.string(),
  action: z.string(),
  code: warningCodeSchema,
  message: z.string(),
});
export type WarningItem = z.infer<typeof warningItemSchema>;

export const rangeSchema = z.object({
  from: z.string().nullable().describe('first position asked for (inclusive)'),
  to: z.string().nullable().describe('last position asked for (inclusive)'),
  since: z.string().nullable().describe('decisions recorded at or after this instant'),
  until: z.string().nullable().describe('decisions recorded at or before this instant'),
  head: z.string().describe('the head of the log when the call started: nothing after it is looked at'),
  limit: z.int().describe('most decisions this call would look at'),
  first: z.string().nullable().describe('position of the first decision looked at'),
  last: z.string().nullable().describe('position of the last decision looked at'),
  complete: z.boolean().describe('false when the limit stopped the call before the end of the range'),
  next: z.string().nullable().describe('when not complete: call again with from=next (and the same to, or to=head) for the rest'),
});
export type ReplayRange = z.infer<typeof rangeSchema>;

const actionTally = z.object({ total: z.int(), agreed: z.int(), differed: z.int(), unverifiable: z.int() });

export const reevaluationReportSchema = z.object({
  orgId: z.string(),
  range: rangeSchema,
  platformPolicyHash: z.string().describe("the current code's platform policy hash"),
  total: z.int().describe("the org's decisions in the range"),
  agreed: z.int().describe('re-evaluated with the recorded request and policy version, and gave the same decision'),
  counts: z.object({ differed: z.int(), unverifiable: z.int(), drifted: z.int(), warnings: z.int() }),
  unverifiableByCode: z.record(z.string(), z.int()),
  byAction: z.record(z.string(), actionTally),
  differed: z.array(differedItemSchema).describe('decisions that came out differently, or whose recorded roles the roster does not give'),
  unverifiable: z.array(unverifiableItemSchema).describe('decisions that cannot be re-evaluated faithfully, and why'),
  drifted: z.array(driftedItemSchema).describe('same decision, but the wording of a condition error changed (e.g. a CEL library upgrade)'),
  warnings: z.array(warningItemSchema).describe('best-effort checks of inputs whose stream revision the decision does not record'),
  structure: z
    .object({
      checked: z.int().describe('structural refusals decided again on the state they record (result.basis)'),
      agreed: z.int().describe('refused again, with the same code'),
      differed: z.int().describe("came out otherwise (listed in differed, field 'result')"),
      notReplayed: z.int(),
      notReplayedByCode: z.record(z.string(), z.int()),
      notReplayedItems: z.array(structureNotReplayedItemSchema),
    })
    .describe("the org's refusals by its structure, decided again by their aggregate"),
  omitted: z
    .object({ differed: z.int(), unverifiable: z.int(), drifted: z.int(), warnings: z.int(), structureNotReplayed: z.int() })
    .describe('items counted but not listed (maxItems)'),
  maxItems: z.int(),
});
export type ReevaluationReport = z.infer<typeof reevaluationReportSchema>;

export const flipKindSchema = z.string().describe('<recorded outcome>-><hypothetical outcome>, e.g. permitted->forbidden');
export const flipEffectSchema = z.enum(['now-denied', 'now-permitted', 'still-denied']);
export type FlipEffect = z.infer<typeof flipEffectSchema>;

export const flipItemSchema = decisionRefSchema.extend({
  kind: flipKindSchema,
  effect: flipEffectSchema.describe('now-denied / now-permitted; still-denied: forbidden <-> not-permitted'),
  recorded: decisionViewSchema,
  hypothetical: decisionViewSchema,
  platformPolicyChanged: z.boolean().describe('the platform policy changed since the decision: part of the flip may be due to it'),
});
export type FlipItem = z.infer<typeof flipItemSchema>;

export const structureFlipEffectSchema = z.enum(['now-applied', 'now-refused', 'other-refusal']);
export type StructureFlipEffect = z.infer<typeof structureFlipEffectSchema>;

export const structureFlipItemSchema = decisionRefSchema.extend({
  effect: structureFlipEffectSchema.describe(
    'now-applied: a structural refusal that would not happen; now-refused: an applied command that would be refused; other-refusal: another code',
  ),
  hypothetical: resultViewSchema,
  message: z.string().nullable().describe('the hypothetical refusal message'),
});
export type StructureFlipItem = z.infer<typeof structureFlipItemSchema>;

const whatIfActionTally = z.object({ evaluated: z.int(), flipped: z.int(), nowDenied: z.int(), nowPermitted: z.int(), stillDenied: z.int() });

export const whatIfReportSchema = z.object({
  orgId: z.string(),
  draft: z
    .object({
      source: z.enum(['version', 'inline']),
      version: z.int().nullable(),
      hash: z.string().describe('SHA-256 of the canonical JSON of the draft rules'),
      rules: z.int().describe('number of rules'),
    })
    .nullable()
    .describe('null: no draft policy, only structure changes'),
  range: rangeSchema,
  platformPolicyHash: z.string(),
  total: z.int().describe("the org's decisions in the range"),
  evaluated: z.int(),
  skipped: z.int().describe('decisions no org policy applied to (source none: the org did not exist yet), or whose request is invalid'),
  skippedByReason: z.record(z.string(), z.int()),
  unchanged: z.int().describe('same outcome'),
  sameOutcomeOtherRules: z.int().describe('same outcome, other determining rules'),
  flipped: z.int().describe('the outcome changes'),
  nowDenied: z.int(),
  nowPermitted: z.int(),
  stillDenied: z.int(),
  byKind: z.record(z.string(), z.int()),
  byAction: z.record(z.string(), whatIfActionTally),
  flips: z.array(flipItemSchema),
  omitted: z.int().describe('flips counted but not listed (maxItems)'),
  structure: z
    .object({
      changes: z.record(z.string(), z.unknown()).nullable().describe('the structure changes asked for; null: none'),
      evaluated: z.int().describe("the roster's applied commands and structural refusals decided again with the changes"),
      unchanged: z.int(),
      flipped: z.int(),
      nowApplied: z.int(),
      nowRefused: z.int(),
      otherRefusal: z.int(),
      notReplayed: z.int(),
      notReplayedByCode: z.record(z.string(), z.int()),
      flips: z.array(structureFlipItemSchema),
      omitted: z.int().describe('structure flips counted but not listed (maxItems)'),
    })
    .describe("past commands on the org's roster decided again on the changed structure"),
  maxItems: z.int(),
  notes: z.array(z.string()),
});
export type WhatIfReport = z.infer<typeof whatIfReportSchema>;

/** Appends to a list while it has room; returns whether it did. */
export function pushCapped<T>(list: T[], item: T, max: number): boolean {
  if (list.length >= max) return false;
  list.push(item);
  return true;
}

function addCounts(a: Record<string, number>, b: Record<string, number>): Record<string, number> {
  const sum: Record<string, number> = { ...a };
  for (const [key, value] of Object.entries(b)) sum[key] = (sum[key] ?? 0) + value;
  return sum;
}

function addTallies<T extends Record<string, number>>(a: Record<string, T>, b: Record<string, T>): Record<string, T> {
  const sum: Record<string, T> = { ...a };
  for (const [key, value] of Object.entries(b)) {
    const current = sum[key];
    sum[key] = current === undefined ? value : (addCounts(current, value) as T);
  }
  return sum;
}

function mergeRange(a: ReplayRange, b: ReplayRange): ReplayRange {
  return { ...a, limit: a.limit, first: a.first ?? b.first, last: b.last ?? a.last, complete: b.complete, next: b.next };
}

/** Two consecutive pages of one re-evaluation (`b` continues at `a.range.next`), as one report. */
export function mergeReevaluationReports(a: ReevaluationReport, b: ReevaluationReport, maxItems = a.maxItems): ReevaluationReport {
  const take = <T>(x: readonly T[], y: readonly T[]) => [...x, ...y].slice(0, maxItems);
  const counts = {
    differed: a.counts.differed + b.counts.differed,
    unverifiable: a.counts.unverifiable + b.counts.unverifiable,
    drifted: a.counts.drifted + b.counts.drifted,
    warnings: a.counts.warnings + b.counts.warnings,
  };
  const differed = take(a.differed, b.differed);
  const unverifiable = take(a.unverifiable, b.unverifiable);
  const drifted = take(a.drifted, b.drifted);
  const warnings = take(a.warnings, b.warnings);
  const notReplayed = a.structure.notReplayed + b.structure.notReplayed;
  const notReplayedItems = take(a.structure.notReplayedItems, b.structure.notReplayedItems);
  return {
    orgId: a.orgId,
    range: mergeRange(a.range, b.range),
    platformPolicyHash: b.platformPolicyHash,
    total: a.total + b.total,
    agreed: a.agreed + b.agreed,
    counts,
    unverifiableByCode: addCounts(a.unverifiableByCode, b.unverifiableByCode),
    byAction: addTallies(a.byAction, b.byAction),
    differed,
    unverifiable,
    drifted,
    warnings,
    structure: {
      checked: a.structure.checked + b.structure.checked,
      agreed: a.structure.agreed + b.structure.agreed,
      differed: a.structure.differed + b.structure.differed,
      notReplayed,
      notReplayedByCode: addCounts(a.structure.notReplayedByCode, b.structure.notReplayedByCode),
      notReplayedItems,
    },
    omitted: {
      differed: counts.differed - differed.length,
      unverifiable: counts.unverifiable - unverifiable.length,
      drifted: counts.drifted - drifted.length,
      warnings: counts.warnings - warnings.length,
      structureNotReplayed: notReplayed - notReplayedItems.length,
    },
    maxItems,
  };
}

/** Two consecutive pages of one what-if, as one report. */
export function mergeWhatIfReports(a: WhatIfReport, b: WhatIfReport, maxItems = a.maxItems): WhatIfReport {
  const flips = [...a.flips, ...b.flips].slice(0, maxItems);
  const flipped = a.flipped + b.flipped;
  return {
    orgId: a.orgId,
    draft: a.draft,
    range: mergeRange(a.range, b.range),
    platformPolicyHash: b.platformPolicyHash,
    total: a.total + b.total,
    evaluated: a.evaluated + b.evaluated,
    skipped: a.skipped + b.skipped,
    skippedByReason: addCounts(a.skippedByReason, b.skippedByReason),
    unchanged: a.unchanged + b.unchanged,
    sameOutcomeOtherRules: a.sameOutcomeOtherRules + b.sameOutcomeOtherRules,
    flipped,
    nowDenied: a.nowDenied + b.nowDenied,
    nowPermitted: a.nowPermitted + b.nowPermitted,
    stillDenied: a.stillDenied + b.stillDenied,
    byKind: addCounts(a.byKind, b.byKind),
    byAction: addTallies(a.byAction, b.byAction),
    flips,
    omitted: flipped - flips.length,
    structure: mergeStructure(a.structure, b.structure, maxItems),
    maxItems,
    notes: [...new Set([...a.notes, ...b.notes])],
  };
}

function mergeStructure(a: WhatIfReport['structure'], b: WhatIfReport['structure'], maxItems: number): WhatIfReport['structure'] {
  const flips = [...a.flips, ...b.flips].slice(0, maxItems);
  const flipped = a.flipped + b.flipped;
  return {
    changes: a.changes,
    evaluated: a.evaluated + b.evaluated,
    unchanged: a.unchanged + b.unchanged,
    flipped,
    nowApplied: a.nowApplied + b.nowApplied,
    nowRefused: a.nowRefused + b.nowRefused,
    otherRefusal: a.otherRefusal + b.otherRefusal,
    notReplayed: a.notReplayed + b.notReplayed,
    notReplayedByCode: addCounts(a.notReplayedByCode, b.notReplayedByCode),
    flips,
    omitted: flipped - flips.length,
  };
}
