import { z } from 'zod';
import type { DecisionResult } from '../policy/decision-events.ts';
import { roleNameSchema } from '../roster/fields.ts';
import { conflictKey, type RosterState } from '../roster/state.ts';
import { isAppError, type AppError } from '../shared/app-error.ts';
import type { DomainEvent } from '../shared/decider.ts';
import type { RecordedDecision } from './recorded.ts';
import type { Difference, ResultView, StructureFlipEffect, StructureNotReplayedCode } from './report.ts';

/**
 * A change to the org's structure (its roster) that a what-if decides past commands again with, beside or instead
 * of a draft policy: a role's `maxHolders` (null: no limit), role conflicts withdrawn.
 */
export const structureChangesSchema = z.strictObject({
  roles: z
    .record(roleNameSchema, z.strictObject({ maxHolders: z.number().int().min(1).max(1_000_000).nullable() }))
    .optional()
    .refine((roles) => roles === undefined || Object.keys(roles).length <= 100, 'at most 100 roles')
    .describe('per role: its maxHolders in the what-if (null: no limit)'),
  withdrawConflicts: z
    .array(z.tuple([roleNameSchema, roleNameSchema]))
    .max(100)
    .optional()
    .describe('role conflicts (separation of duties) that do not exist in the what-if, each as two role names'),
});
export type StructureChanges = z.infer<typeof structureChangesSchema>;

export function hasStructureChanges(changes: StructureChanges | undefined): changes is StructureChanges {
  return changes !== undefined && (Object.keys(changes.roles ?? {}).length > 0 || (changes.withdrawConflicts?.length ?? 0) > 0);
}

/**
 * The roster with the changes applied; a role it does not define is left undefined (a change cannot create one).
 * States are immutable: the input is not touched.
 */
export function applyStructureChanges(state: RosterState, changes: StructureChanges): RosterState {
  let roles = state.roles;
  for (const [name, change] of Object.entries(changes.roles ?? {})) {
    const role = roles.get(name);
    if (!role) continue;
    if (roles === state.roles) roles = new Map(state.roles);
    (roles as Map<string, typeof role>).set(name, { ...role, maxHolders: change.maxHolders });
  }
  let conflicts = state.conflicts;
  for (const [a, b] of changes.withdrawConflicts ?? []) {
    const key = conflictKey(a, b);
    if (!conflicts.has(key)) continue;
    if (conflicts === state.conflicts) conflicts = new Map(state.conflicts);
    (conflicts as Map<string, unknown>).delete(key);
  }
  return roles === state.roles && conflicts === state.conflicts ? state : { ...state, roles, conflicts };
}

/** What a command decided again on its recorded basis comes to: applied (or nothing to do), or refused with a code. */
export type ReplayedResult = { status: 'applied'; events: number } | { status: 'refused'; kind: AppError['kind']; code: string; message: string };

export function replayedResult(decided: readonly DomainEvent[] | AppError): ReplayedResult {
  return isAppError(decided)
    ? { status: 'refused', kind: decided.kind, code: decided.code, message: decided.message }
    : { status: 'applied', events: decided.length };
}

/** A result as reports show it: `applied`, `refused-by-structure ROLE_MAX_HOLDERS`, ... */
export function resultText(result: DecisionResult | ReplayedResult): string {
  switch (result.status) {
    case 'refused-by-structure':
    case 'refused':
      return `refused-by-structure ${result.code}`;
    default:
      return result.status;
  }
}

/** The code a result refused with; null when it applied (or was not refused by the structure). */
export function refusalCode(result: DecisionResult | ReplayedResult): string | null {
  return result.status === 'refused-by-structure' || result.status === 'refused' ? result.code : null;
}

/** A recorded command decided again by its aggregate (commands/audit/structure-replay.ts), or why it was not. */
export type StructureReplay =
  | { replayed: true; result: ReplayedResult; aggregate: string }
  | { replayed: false; code: StructureNotReplayedCode; reason: string };

export function resultView(result: DecisionResult | ReplayedResult): ResultView {
  if (result.status === 'refused') return { status: 'refused-by-structure', code: result.code };
  if (result.status === 'applied') return { status: 'applied', code: null };
  return { status: result.status, code: result.status === 'refused-by-structure' ? result.code : null };
}

export type StructureCheck =
  | { status: 'agreed' }
  | { status: 'differed'; difference: Difference; explanation: string }
  | { status: 'not-replayed'; code: StructureNotReplayedCode; reason: string };

/**
 * Re-evaluation of a structural refusal: decided again on the state it records, it must be refused again with the
 * same code (the message may be worded otherwise by newer code; the code is the contract).
 */
export function checkStructure(decision: RecordedDecision, replay: StructureReplay): StructureCheck {
  if (!replay.replayed) return { status: 'not-replayed', code: replay.code, reason: replay.reason };
  const recorded = decision.data.result;
  if (refusalCode(recorded) === refusalCode(replay.result) && (recorded.status === 'applied') === (replay.result.status === 'applied'))
    return { status: 'agreed' };
  const basis = recorded.status === 'applied' || recorded.status === 'refused-by-structure' ? ` at ${recorded.basis.streamId}@${recorded.basis.revision}` : '';
  return {
    status: 'differed',
    difference: { field: 'result', recorded: resultText(recorded), replayed: resultText(replay.result) },
    explanation: `recorded ${resultText(recorded)}, but deciding the command again on the state it was decided on${basis} gives ${resultText(replay.result)}`,
  };
}

/** What-if of a structure change: how a past command's result would change. */
export function structureFlip(decision: RecordedDecision, replay: Extract<StructureReplay, { replayed: true }>): StructureFlipEffect | null {
  const recorded = refusalCode(decision.data.result);
  const hypothetical = refusalCode(replay.result);
  if (recorded === hypothetical) return null;
  if (recorded === null) return 'now-refused';
  if (hypothetical === null) return 'now-applied';
  return 'other-refusal';
}
