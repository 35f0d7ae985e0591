import { z } from 'zod';
import type { DecisionView, DecisionRef } from '../../domain/audit/recorded.ts';
import type { ReevaluationReport, WhatIfReport } from '../../domain/audit/report.ts';
import type { StateView } from '../../domain/audit/state-view.ts';
import { resultStatusSchema } from '../../domain/audit/report.ts';

/** The part of GET /orgs/:orgId/decisions the CLI shows. */
export const decisionListSchema = z.object({
  decisions: z.array(
    z.object({
      decisionId: z.string(),
      position: z.string(),
      occurredAt: z.string(),
      principal: z.object({ id: z.string(), kind: z.string() }),
      action: z.string(),
      outcome: z.string(),
      result: resultStatusSchema,
      refusal: z.object({ code: z.string(), message: z.string() }).nullable(),
      determiningRuleIds: z.array(z.string()),
    }),
  ),
});

/** Readable reports of audit replay, for a terminal. Pure: each returns the text to print. */

const number = (value: number) => value.toLocaleString('en-US');
const plural = (count: number, one: string, many = `${one}s`) => `${number(count)} ${count === 1 ? one : many}`;
const shortHash = (hash: string) => hash.slice(0, 12);
const list = (items: readonly string[]) => (items.length === 0 ? '-' : items.join(', '));

function policyText(policy: { source: string; version: number | null }): string {
  return policy.source === 'org' ? `org v${policy.version}` : policy.source === 'default' ? 'default policy' : 'no org policy';
}

function rangeText(range: ReevaluationReport['range']): string {
  const parts: string[] = [];
  if (range.from !== null || range.to !== null) parts.push(`positions ${range.from ?? 'start'}..${range.to ?? 'head'}`);
  if (range.since !== null || range.until !== null) parts.push(`recorded ${range.since ?? 'any time'} .. ${range.until ?? 'now'}`);
  const scope = parts.length === 0 ? 'whole history' : parts.join(', ');
  const seen = range.first === null ? 'no decisions' : `decisions at ${range.first}..${range.last}`;
  return `${scope} (head ${range.head}; ${seen}${range.complete ? '' : `; incomplete, continue at ${range.next}`})`;
}

function decisionText(view: DecisionView): string {
  const rules = view.determiningRuleIds.length > 0 ? ` by ${view.determiningRuleIds.join(', ')}` : '';
  const reasons = view.reasons.length > 0 ? ` ("${view.reasons.join('"; "')}")` : '';
  const escalate = view.escalateTo === null ? '' : `; escalate to ${view.escalateTo}`;
  return `${view.outcome}${rules}${reasons}${escalate}`;
}

function resultText(result: DecisionRef['result']): string {
  return result.code === null ? result.status : `${result.status} ${result.code}`;
}

function refText(ref: DecisionRef): string {
  const roles = ref.principal.roles.length > 0 ? ` [${ref.principal.roles.join(', ')}]` : '';
  return `@${ref.position} ${ref.occurredAt} ${ref.action} by ${ref.principal.kind} ${ref.principal.id}${roles} under ${policyText(ref.policy)}, ${resultText(ref.result)} (decision ${ref.decisionId})`;
}

export function formatReevaluation(report: ReevaluationReport, orgLabel: string): string {
  const lines: string[] = [];
  lines.push(`re-evaluation of ${orgLabel}: ${rangeText(report.range)}`);
  lines.push(
    `  ${plural(report.total, 'decision')}: ${number(report.agreed)} agreed, ${number(report.counts.differed)} differed, ${number(report.counts.unverifiable)} unverifiable`,
  );
  for (const [code, count] of Object.entries(report.unverifiableByCode)) lines.push(`    unverifiable ${code}: ${number(count)}`);
  if (report.counts.drifted > 0) lines.push(`  ${plural(report.counts.drifted, 'decision')} agreed with other wording of a condition error`);
  const actions = Object.entries(report.byAction);
  if (actions.length > 0) {
    lines.push('  by action:');
    const width = Math.max(...actions.map(([action]) => action.length));
    for (const [action, tally] of actions) {
      const extra = [tally.differed > 0 ? `${number(tally.differed)} differed` : '', tally.unverifiable > 0 ? `${number(tally.unverifiable)} unverifiable` : '']
        .filter(Boolean)
        .join(', ');
      lines.push(`    ${action.padEnd(width)}  ${number(tally.total).padStart(8)}${extra === '' ? '' : `  (${extra})`}`);
    }
  }
  const structure = report.structure;
  if (structure.checked > 0) {
    lines.push(
      `  ${plural(structure.checked, 'refusal')} by the org's structure decided again: ${number(structure.agreed)} refused again with the same code, ${number(structure.differed)} differed, ${number(structure.notReplayed)} not replayed`,
    );
    for (const [code, count] of Object.entries(structure.notReplayedByCode)) lines.push(`    not replayed ${code}: ${number(count)}`);
  }
  lines.push(`  platform policy ${shortHash(report.platformPolicyHash)} (the server's code)`);
  for (const item of report.differed) {
    lines.push(`DIFFERED ${refText(item)}`);
    lines.push(`  recorded:     ${decisionText(item.recorded)}`);
    lines.push(`  re-evaluated: ${decisionText(item.replayed)}`);
    lines.push(`  why: ${item.explanation}`);
  }
  if (report.omitted.differed > 0) lines.push(`  ... and ${plural(report.omitted.differed, 'more decision')} that differ (raise --max-items)`);
  for (const item of report.unverifiable) lines.push(`UNVERIFIABLE ${refText(item)}\n  ${item.code}: ${item.reason}`);
  if (report.omitted.unverifiable > 0) lines.push(`  ... and ${plural(report.omitted.unverifiable, 'more unverifiable decision')}`);
  for (const item of report.drifted) lines.push(`DRIFTED ${refText(item)}: ${item.explanation}`);
  for (const warning of report.warnings) lines.push(`WARNING @${warning.position} ${warning.action} ${warning.code}: ${warning.message}`);
  if (report.omitted.warnings > 0) lines.push(`  ... and ${plural(report.omitted.warnings, 'more warning')}`);
  if (report.total === 0) lines.push('no decisions in the range');
  else if (report.counts.differed === 0 && report.counts.unverifiable === 0)
    lines.push(`all ${plural(report.total, 'recorded decision')} agree with re-evaluation`);
  else if (report.counts.differed === 0)
    lines.push(`every re-evaluable decision agrees; ${plural(report.counts.unverifiable, 'decision')} could not be re-evaluated faithfully`);
  else lines.push(`${plural(report.counts.differed, 'decision')} came out differently`);
  return `${lines.join('\n')}\n`;
}

export function formatWhatIf(report: WhatIfReport, orgLabel: string, draftLabel: string): string {
  const lines: string[] = [];
  const draft = report.draft === null ? 'no draft policy' : `${draftLabel} (${plural(report.draft.rules, 'rule')}, sha256 ${shortHash(report.draft.hash)})`;
  lines.push(`what-if ${draft} on ${orgLabel}: ${rangeText(report.range)}`);
  const skipped =
    report.skipped > 0
      ? `; ${number(report.skipped)} skipped: ${Object.entries(report.skippedByReason)
          .map(([reason, count]) => `${reason} (${number(count)})`)
          .join('; ')}`
      : '';
  lines.push(`  ${plural(report.evaluated, 'decision')} evaluated${skipped}`);
  lines.push(
    `  ${number(report.unchanged)} unchanged${report.sameOutcomeOtherRules > 0 ? ` (${number(report.sameOutcomeOtherRules)} by other rules)` : ''}, ${number(report.flipped)} would change: ` +
      `${number(report.nowDenied)} now denied, ${number(report.nowPermitted)} now permitted, ${number(report.stillDenied)} still denied with another outcome`,
  );
  const kinds = Object.entries(report.byKind);
  if (kinds.length > 0) {
    lines.push('  by kind:');
    for (const [kind, count] of kinds) lines.push(`    ${kind.padEnd(28)} ${number(count).padStart(8)}`);
  }
  const actions = Object.entries(report.byAction).filter(([, tally]) => tally.flipped > 0);
  if (actions.length > 0) {
    lines.push('  by action (changed / evaluated):');
    const width = Math.max(...actions.map(([action]) => action.length));
    for (const [action, tally] of actions) {
      lines.push(
        `    ${action.padEnd(width)}  ${number(tally.flipped).padStart(7)} / ${number(tally.evaluated).padEnd(7)}  now denied ${number(tally.nowDenied)}, now permitted ${number(tally.nowPermitted)}, still denied ${number(tally.stillDenied)}`,
      );
    }
  }
  for (const flip of report.flips) {
    lines.push(`${flip.kind.toUpperCase()} ${refText(flip)}`);
    lines.push(`  recorded:     ${decisionText(flip.recorded)}`);
    lines.push(`  hypothetical: ${decisionText(flip.hypothetical)}${flip.platformPolicyChanged ? '  (the platform policy changed since)' : ''}`);
  }
  if (report.omitted > 0) lines.push(`  ... and ${plural(report.omitted, 'more change')} (raise --max-items)`);
  const structure = report.structure;
  if (structure.changes !== null) {
    lines.push(`structure ${JSON.stringify(structure.changes)}: ${plural(structure.evaluated, 'roster command')} decided again`);
    lines.push(
      `  ${number(structure.unchanged)} unchanged, ${number(structure.flipped)} would change: ${number(structure.nowApplied)} now applied, ${number(structure.nowRefused)} now refused, ${number(structure.otherRefusal)} refused otherwise` +
        (structure.notReplayed > 0 ? `; ${number(structure.notReplayed)} not replayed` : ''),
    );
    for (const flip of structure.flips) {
      lines.push(`${flip.effect.toUpperCase()} ${refText(flip)}`);
      lines.push(`  hypothetical: ${resultText(flip.hypothetical)}${flip.message === null ? '' : ` ("${flip.message}")`}`);
    }
    if (structure.omitted > 0) lines.push(`  ... and ${plural(structure.omitted, 'more change')} (raise --max-items)`);
  }
  for (const note of report.notes) lines.push(`note: ${note}`);
  const changed = report.flipped + structure.flipped;
  lines.push(changed === 0 ? 'nothing would change' : `${plural(changed, 'decision')} would change`);
  return `${lines.join('\n')}\n`;
}

export function formatState(view: StateView, orgLabel: string): string {
  const lines: string[] = [];
  const cut = view.cut;
  const how = cut.by === 'head' ? 'now (head of the log)' : cut.by === 'position' ? `position ${cut.position}` : `${cut.at} (cut at position ${cut.position})`;
  lines.push(`${orgLabel} as of ${how}; instant ${cut.at}, head ${cut.head}`);
  lines.push(
    `  events folded: org ${view.events.org}, roster ${view.events.roster}, policy ${view.events.policy} (revisions ${view.revisions.org} / ${view.revisions.roster} / ${view.revisions.policy})`,
  );
  if (view.org === null) {
    lines.push('  the org was not registered yet');
    return `${lines.join('\n')}\n`;
  }
  const org = view.org;
  lines.push(
    `  org ${org.slug} "${org.name}" ${org.status}${org.statusReason === null ? '' : ` (${org.statusReason})`}, owner ${org.owner.kind} ${org.owner.id}`,
  );
  if (org.parentOrgId !== null) lines.push(`  parent org ${org.parentOrgId}`);
  if (org.tags.length > 0) lines.push(`  tags ${org.tags.join(', ')}`);
  const effective = view.effectivePolicy;
  lines.push(`  policy in force: ${policyText(effective)} (sha256 ${shortHash(effective.hash)}); ${plural(view.policy.versions.length, 'version')} drafted`);
  for (const version of view.policy.versions)
    lines.push(
      `    v${version.version} ${version.status}, ${plural(version.rules.length, 'rule')}, sha256 ${shortHash(version.hash)}${version.description === '' ? '' : ` - ${version.description}`}`,
    );
  const roster = view.roster;
  lines.push(`  roles: ${list(roster.roles.map((role) => String(role.name)))}`);
  if (roster.groups.length > 0) lines.push(`  groups: ${list(roster.groups.map((group) => String(group.name)))}`);
  if (roster.jobSpaces.length > 0) lines.push(`  job spaces: ${list(roster.jobSpaces.map((space) => String(space.name)))}`);
  for (const conflict of roster.conflicts) lines.push(`  separated duties: ${conflict.roles.join(' / ')} (${conflict.reason})`);
  const active = roster.associations.filter((association) => association.activeAt).length;
  lines.push(
    `  associations: ${number(roster.associations.length)} recorded, ${number(active)} active at the instant; applications: ${number(roster.applications.length)}`,
  );
  lines.push(`  members (${number(view.members.length)}), effective roles at the instant:`);
  for (const member of view.members)
    lines.push(`    ${member.subjectId}  ${list(member.roles)}${member.groups.length > 0 ? `  groups ${list(member.groups)}` : ''}`);
  if (view.subject) {
    const scope = view.subject.jobSpace === null ? 'org-wide' : view.subject.jobSpace === '*' ? 'any job space' : `job space ${view.subject.jobSpace}`;
    lines.push(`  subject ${view.subject.subjectId} (${scope}): roles ${list(view.subject.roles)}; groups ${list(view.subject.groups)}`);
  }
  return `${lines.join('\n')}\n`;
}

/** One line per decision: who did what, what the policy said, and what became of the command. */
export function formatDecisions(decisions: z.infer<typeof decisionListSchema>['decisions'], orgLabel: string): string {
  if (decisions.length === 0) return `no decisions of ${orgLabel}\n`;
  const lines = [`decisions of ${orgLabel}, newest first:`];
  for (const decision of decisions) {
    const rules = decision.determiningRuleIds.length > 0 ? ` by ${decision.determiningRuleIds.join(', ')}` : '';
    const refusal = decision.refusal === null ? '' : ` ${decision.refusal.code} ("${decision.refusal.message}")`;
    lines.push(
      `@${decision.position} ${decision.occurredAt} ${decision.action} by ${decision.principal.kind} ${decision.principal.id}: ${decision.outcome}${rules}, ${decision.result}${refusal}`,
    );
  }
  return `${lines.join('\n')}\n`;
}
