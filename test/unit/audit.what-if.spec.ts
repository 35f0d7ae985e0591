import { describe, expect, it } from 'vitest';
import { hashed } from '../../domain/audit/policies.ts';
import { mergeWhatIfReports, whatIfReportSchema } from '../../domain/audit/report.ts';
import { draftWithPlatform, WhatIfTally, whatIfDecision, type WhatIfDraft } from '../../domain/audit/what-if.ts';
import type { PolicyRule } from '../../domain/policy/types.ts';
import { admin, ALICE, BOB, LogBuilder, tampered } from './audit.support.ts';

const asSubject = (id: string) => ({ id, kind: 'subject' as const });

const inForce: PolicyRule[] = [
  { id: 'writers-update', effect: 'permit', actions: ['org.update'], roles: ['writer'], reason: 'writers keep the org up to date' },
  { id: 'writers-apply', effect: 'permit', actions: ['roster.application.submit'], roles: ['writer'], reason: 'writers apply' },
  { id: 'no-x', effect: 'forbid', actions: ['org.update'], when: 'command.data.description.startsWith("x")', reason: 'x is reserved' },
];

/** The draft: updates need the editor role now, x is no longer reserved, applications are frozen (with an escalation). */
const draftRules: PolicyRule[] = [
  { id: 'editors-update', effect: 'permit', actions: ['org.update'], roles: ['editor'], reason: 'only editors update' },
  { id: 'writers-apply', effect: 'permit', actions: ['roster.application.submit'], roles: ['writer'], reason: 'writers apply' },
  { id: 'freeze', effect: 'forbid', actions: ['roster.application.submit'], reason: 'applications are frozen', escalateTo: 'board' },
];

/**
 * | # | who             | action                    | data         | recorded      | with the draft           |
 * | 0 | (before the org) | org.update                | -            | (source none) | skipped                  |
 * | 1 | Alice, writer   | org.update                | "hello"      | permitted     | not-permitted (now denied)|
 * | 2 | Alice, writer   | org.update                | "xylophone"  | forbidden     | not-permitted (still denied)|
 * | 3 | Bob, editor     | org.update                | "xylophone"  | forbidden     | permitted (now permitted) |
 * | 4 | Bob, editor     | org.update                | "hello"      | not-permitted | permitted (now permitted) |
 * | 5 | Alice, writer   | roster.application.submit | -            | permitted     | forbidden (now denied)    |
 * | 6 | Bob, editor     | roster.application.submit | -            | not-permitted | forbidden (still denied)  |
 * | 7 | admin           | org.update                | "hello"      | permitted     | permitted (unchanged)     |
 * | 8 | admin           | org.update                | "xylophone"  | forbidden     | permitted (now permitted) |
 */
function table() {
  const log = new LogBuilder();
  const beforeOrg = log.decide(admin, 'org.update', { description: 'too early' });
  log.registerOrg();
  log.defineRole('writer');
  log.defineRole('editor');
  log.grant('a0000000-0000-4000-8000-00000000000a', ALICE, 'writer');
  log.grant('b0000000-0000-4000-8000-00000000000b', BOB, 'editor');
  log.draft(1, inForce);
  log.publish(1);
  const rows = [
    beforeOrg,
    log.decide(asSubject(ALICE), 'org.update', { description: 'hello' }),
    log.decide(asSubject(ALICE), 'org.update', { description: 'xylophone' }),
    log.decide(asSubject(BOB), 'org.update', { description: 'xylophone' }),
    log.decide(asSubject(BOB), 'org.update', { description: 'hello' }),
    log.decide(asSubject(ALICE), 'roster.application.submit', { subjectId: ALICE }),
    log.decide(asSubject(BOB), 'roster.application.submit', { subjectId: BOB }),
    log.decide(admin, 'org.update', { description: 'hello' }),
    log.decide(admin, 'org.update', { description: 'xylophone' }),
  ];
  return { log, rows };
}

const draft: WhatIfDraft = { source: 'inline', version: null, ...hashed(draftRules) };

describe('audit: what-if', () => {
  it('flips exactly the decisions the table says, with the recorded and hypothetical decisions side by side', () => {
    const { rows } = table();
    expect(rows.map((row) => row.data.outcome)).toEqual([
      'permitted',
      'permitted',
      'forbidden',
      'forbidden',
      'not-permitted',
      'permitted',
      'not-permitted',
      'permitted',
      'forbidden',
    ]);
    expect(rows[0]?.data.policy.source).toBe('none');
    const rules = draftWithPlatform(draft);
    const verdicts = rows.map((row) => whatIfDecision(rules, row));
    expect(verdicts.map((verdict) => (verdict.status === 'flipped' ? `${verdict.kind} ${verdict.effect}` : verdict.status))).toEqual([
      'skipped',
      'permitted->not-permitted now-denied',
      'forbidden->not-permitted still-denied',
      'forbidden->permitted now-permitted',
      'not-permitted->permitted now-permitted',
      'permitted->forbidden now-denied',
      'not-permitted->forbidden still-denied',
      'unchanged',
      'forbidden->permitted now-permitted',
    ]);
    expect(verdicts[5]).toMatchObject({ hypothetical: { determiningRuleIds: ['freeze'], reasons: ['applications are frozen'], escalateTo: 'board' } });
  });

  it('counts flips by action and by kind, skips decisions made before the org existed, and lists at most maxItems', () => {
    const { rows } = table();
    const tally = new WhatIfTally('org', draft, 3);
    const rules = draftWithPlatform(draft);
    for (const row of rows) tally.add(row, whatIfDecision(rules, row));
    const range = { from: null, to: null, since: null, until: null, head: '50', limit: 100, first: '1', last: '20', complete: true, next: null };
    const report = whatIfReportSchema.parse(tally.report(range));
    expect(report).toMatchObject({
      total: 9,
      evaluated: 8,
      skipped: 1,
      skippedByReason: { 'no org policy applied, the org did not exist yet': 1 },
      unchanged: 1,
      sameOutcomeOtherRules: 0,
      flipped: 7,
      nowDenied: 2,
      nowPermitted: 3,
      stillDenied: 2,
      byKind: {
        'forbidden->not-permitted': 1,
        'forbidden->permitted': 2,
        'not-permitted->forbidden': 1,
        'not-permitted->permitted': 1,
        'permitted->forbidden': 1,
        'permitted->not-permitted': 1,
      },
      byAction: {
        'org.update': { evaluated: 6, flipped: 5, nowDenied: 1, nowPermitted: 3, stillDenied: 1 },
        'roster.application.submit': { evaluated: 2, flipped: 2, nowDenied: 1, nowPermitted: 0, stillDenied: 1 },
      },
      omitted: 4,
      draft: { source: 'inline', rules: 3, hash: draft.hash },
    });
    expect(report.flips).toHaveLength(3);
    expect(report.flips[0]).toMatchObject({
      decisionId: rows[1]?.data.decisionId,
      principal: { id: ALICE, roles: ['writer'] },
      recorded: { outcome: 'permitted', determiningRuleIds: ['writers-update'] },
      hypothetical: { outcome: 'not-permitted', determiningRuleIds: [], reasons: ['no rule permits org.update'] },
      platformPolicyChanged: false,
    });
    const twice = mergeWhatIfReports(report, report, 10);
    expect(twice).toMatchObject({ total: 18, flipped: 14, flips: expect.any(Array), omitted: 8, byKind: { 'forbidden->permitted': 4 } });
    expect(twice.flips).toHaveLength(6);
  });

  it('marks a flip of a decision made under another platform policy, and says so in the notes', () => {
    const { rows } = table();
    const row = tampered(rows[1] as (typeof rows)[number], (data) => ({ ...data, platformPolicyHash: 'a'.repeat(64) }));
    const verdict = whatIfDecision(draftWithPlatform(draft), row);
    expect(verdict).toMatchObject({ status: 'flipped', platformPolicyChanged: true });
    const tally = new WhatIfTally('org', draft, 10);
    tally.add(row, verdict);
    expect(
      tally.report({ from: null, to: null, since: null, until: null, head: '1', limit: 1, first: null, last: null, complete: true, next: null }).notes.at(-1),
    ).toMatch(/another platform policy/);
  });

  it('evaluates the recorded version itself as unchanged: the draft of what is in force flips nothing', () => {
    const { rows } = table();
    const same = draftWithPlatform({ source: 'version', version: 1, ...hashed(inForce) });
    expect(rows.slice(1).map((row) => whatIfDecision(same, row).status)).toEqual(Array(8).fill('unchanged'));
  });
});
