import { describe, expect, it } from 'vitest';
import { currentBuiltIns, hashed } from '../../domain/audit/policies.ts';
import { ReevaluationTally, ReplayContext, reevaluateDecision, type Verdict } from '../../domain/audit/reevaluate.ts';
import { mergeReevaluationReports, reevaluationReportSchema } from '../../domain/audit/report.ts';
import type { PolicyRule } from '../../domain/policy/types.ts';
import { admin, ALICE, BOB, LogBuilder, OWNER, tampered } from './audit.support.ts';

const asSubject = (id: string) => ({ id, kind: 'subject' as const });

const v1: PolicyRule[] = [
  { id: 'writers-update', effect: 'permit', actions: ['org.update'], roles: ['writer'], reason: 'writers keep the org up to date' },
  { id: 'no-x', effect: 'forbid', actions: ['org.update'], when: 'command.data.description.startsWith("x")', reason: 'x is reserved', escalateTo: 'board' },
];
const v2: PolicyRule[] = [...v1, { id: 'editors-grant', effect: 'permit', actions: ['roster.role.grant'], roles: ['editor'], reason: 'editors staff the org' }];

/** A history with decisions under the default policy, v1 and v2, roles granted, inherited, revoked, and a condition error. */
function history() {
  const log = new LogBuilder();
  log.registerOrg();
  log.defineRole('writer');
  log.defineRole('editor', ['writer']);
  const underDefault = log.decide(asSubject(OWNER), 'org.update', { description: 'owner' });
  const strangerDenied = log.decide(asSubject(ALICE), 'org.update', { description: 'hello' });
  log.grant('a0000000-0000-4000-8000-00000000000a', ALICE, 'writer');
  log.draft(1, v1);
  log.publish(1);
  const writerPermitted = log.decide(asSubject(ALICE), 'org.update', { description: 'hello' });
  const writerForbidden = log.decide(asSubject(ALICE), 'org.update', { description: 'xylophone' });
  // No description: no-x's condition errors (no such key), so it does not apply.
  const conditionError = log.decide(asSubject(ALICE), 'org.update', { tags: ['t'] });
  log.grant('b0000000-0000-4000-8000-00000000000b', BOB, 'editor');
  log.draft(2, v2);
  log.publish(2, 1);
  const editorGrants = log.decide(asSubject(BOB), 'roster.role.grant', { role: 'writer' });
  const inherited = log.decide(asSubject(BOB), 'org.update', { description: 'by inheritance' });
  log.revoke('a0000000-0000-4000-8000-00000000000a');
  const afterRevoke = log.decide(asSubject(ALICE), 'org.update', { description: 'hello again' });
  const byAdmin = log.decide(admin, 'org.update', { description: 'xenon' });
  return { log, underDefault, strangerDenied, writerPermitted, writerForbidden, conditionError, editorGrants, inherited, afterRevoke, byAdmin };
}

function run(log: LogBuilder, decisions = log.decisions, context = new ReplayContext(log.timelines())): Array<Verdict & { decisionId: string }> {
  return decisions.map((decision) => ({ ...reevaluateDecision(context, decision), decisionId: decision.data.decisionId }));
}

describe('audit: re-evaluation of recorded decisions', () => {
  it('agrees with every decision recorded as the pipeline records them', () => {
    const h = history();
    expect(h.log.decisions.map((decision) => decision.data.outcome)).toEqual([
      'permitted',
      'not-permitted',
      'permitted',
      'forbidden',
      'permitted',
      'permitted',
      'permitted',
      'not-permitted',
      'forbidden',
    ]);
    expect(h.conditionError.data.errors).toMatchObject([{ ruleId: 'no-x', condition: 'when' }]);
    expect(h.inherited.data.request).toMatchObject({ principal: { roles: ['editor', 'writer'] } });
    const verdicts = run(h.log);
    expect(verdicts.map((verdict) => verdict.status)).toEqual(Array(9).fill('agreed'));
    expect(verdicts.flatMap((verdict) => verdict.warnings)).toEqual([]);
  });

  it('reports a decision whose recorded outcome the recorded inputs do not give, with both decisions and why', () => {
    const h = history();
    const forged = tampered(h.writerForbidden, (data) => ({
      ...data,
      outcome: 'permitted',
      determiningRuleIds: ['writers-update'],
      reasons: ['writers keep the org up to date'],
      escalateTo: null,
    }));
    const [verdict] = run(h.log, [forged]);
    expect(verdict).toMatchObject({ status: 'differed', replayed: { outcome: 'forbidden', determiningRuleIds: ['no-x'], escalateTo: 'board' } });
    if (verdict?.status !== 'differed') throw new Error('expected differed');
    expect(verdict.differences.map((difference) => difference.field)).toEqual(['outcome', 'determiningRuleIds', 'reasons', 'escalateTo']);
    expect(verdict.explanation).toBe('recorded permitted by writers-update, but re-evaluation gives forbidden by no-x');
  });

  it('checks the recorded roles against the roster at the recorded revision', () => {
    const h = history();
    // Alice's writer role was revoked before this decision: claim she still held it.
    const forged = tampered(h.afterRevoke, (data) => ({
      ...data,
      request: { ...data.request, principal: { id: ALICE, kind: 'subject', roles: ['writer'], groups: [], capabilities: {} } },
    }));
    const [verdict] = run(h.log, [forged]);
    if (verdict?.status !== 'differed') throw new Error(`expected differed, got ${verdict?.status}`);
    expect(verdict.differences).toEqual([
      { field: 'outcome', recorded: 'not-permitted', replayed: 'permitted' },
      { field: 'determiningRuleIds', recorded: [], replayed: ['writers-update'] },
      { field: 'reasons', recorded: ['no rule permits org.update'], replayed: ['writers keep the org up to date'] },
      { field: 'evaluations', recorded: ['writers-update (permit): not-applicable (role)'], replayed: ['writers-update (permit): applies'] },
      { field: 'request.principal.roles', recorded: ['writer'], replayed: [] },
    ]);
    expect(verdict.explanation).toMatch(
      /the recorded inputs are not what the log gives \(roster revision \d+\): request.principal.roles recorded \["writer"\], the roster gives \[\]; with the roster's roles the outcome would be the same \(not-permitted\)/,
    );

    // A roster revision the log does not have.
    const [beyond] = run(h.log, [tampered(h.afterRevoke, (data) => ({ ...data, rosterRevision: '999' }))]);
    expect(beyond).toMatchObject({ status: 'differed', differences: [{ field: 'rosterRevision', recorded: '999' }] });
  });

  it('does not compare a decision made under another platform policy: not reproducible', () => {
    const h = history();
    const [verdict] = run(h.log, [tampered(h.byAdmin, (data) => ({ ...data, platformPolicyHash: 'f'.repeat(64) }))]);
    expect(verdict).toMatchObject({ status: 'unverifiable', code: 'PLATFORM_POLICY_CHANGED' });
    expect(verdict?.status === 'unverifiable' && verdict.reason).toMatch(
      /^not reproducible: platform policy changed \(recorded ffffffffffff, the code now has [0-9a-f]{12}\)$/,
    );
  });

  it('checks the recorded policy version and hash against the policy stream and the default policy', () => {
    const h = history();
    const [unknownVersion, wrongHash, defaultChanged, badRequest] = [
      tampered(h.writerPermitted, (data) => ({ ...data, policy: { ...data.policy, version: 7 } })),
      tampered(h.writerPermitted, (data) => ({ ...data, policy: { ...data.policy, hash: '0'.repeat(64) } })),
      h.underDefault,
      tampered(h.writerPermitted, (data) => ({ ...data, request: { ...data.request, now: 42 } })),
    ];
    const otherDefault = { ...currentBuiltIns, defaultOrg: hashed([{ id: 'default:nothing', effect: 'forbid', actions: ['*'], reason: 'changed' }]) };
    expect(run(h.log, [unknownVersion, wrongHash, badRequest])).toMatchObject([
      { status: 'unverifiable', code: 'POLICY_VERSION_UNKNOWN', reason: "the org's policy stream has no version 7" },
      {
        status: 'unverifiable',
        code: 'POLICY_HASH_MISMATCH',
        reason: expect.stringMatching(/^version 1 was drafted with hash [0-9a-f]{12}; the decision recorded 000000000000$/),
      },
      { status: 'unverifiable', code: 'REQUEST_INVALID', reason: expect.stringContaining('request.now') },
    ]);
    expect(run(h.log, [defaultChanged], new ReplayContext(h.log.timelines(), otherDefault))).toMatchObject([
      { status: 'unverifiable', code: 'DEFAULT_POLICY_CHANGED', reason: expect.stringMatching(/^not reproducible: the default org policy changed/) },
    ]);

    // The version's stored rules were altered after drafting: their content no longer hashes to the recorded hash.
    const altered = new LogBuilder();
    altered.registerOrg();
    altered.draft(1, v1);
    altered.publish(1);
    const decision = altered.decide(asSubject(ALICE), 'org.update', { description: 'x' });
    const drafted = altered.history.policy[0];
    const [first, second] = v1;
    if (drafted?.type === 'PolicyDrafted' && first && second) drafted.data = { ...drafted.data, rules: [{ ...first, roles: ['anyone'] }, second] };
    expect(run(altered, [decision])).toMatchObject([
      { status: 'unverifiable', code: 'POLICY_HASH_MISMATCH', reason: expect.stringMatching(/^the rules stored for version 1 hash to/) },
    ]);
  });

  it('counts a changed wording of a condition error as drift, not as a difference', () => {
    const h = history();
    const reworded = tampered(h.conditionError, (data) => ({
      ...data,
      evaluations: data.evaluations.map((evaluation) => (evaluation.outcome === 'error' ? { ...evaluation, detail: 'when: older wording' } : evaluation)),
      errors: data.errors.map((error) => ({ ...error, message: 'older wording' })),
    }));
    const [verdict] = run(h.log, [reworded]);
    expect(verdict).toMatchObject({ status: 'agreed', drift: [{ field: 'evaluations.detail' }, { field: 'errors.message' }] });
    // A rule that errored then but not now is a difference.
    const [erroredDifferently] = run(h.log, [
      tampered(h.writerPermitted, (data) => ({ ...data, errors: [{ ruleId: 'no-x', condition: 'when', message: 'boom' }] })),
    ]);
    expect(erroredDifferently).toMatchObject({ status: 'differed', differences: [{ field: 'errors', recorded: ['no-x.when'], replayed: [] }] });
  });

  it("warns when the recorded org facts or policy version are not the log's as of the decision's position", () => {
    const h = history();
    // Recorded under v1, but at its position v2 was already in force (a decision that raced a publication).
    const raced = tampered(h.editorGrants, (data) => ({ ...data, policy: { source: 'org', version: 1, hash: data.policy.hash } }));
    const [verdict] = run(h.log, [tampered(raced, (data) => ({ ...data, policy: { ...data.policy, hash: hashed(v1).hash } }))]);
    expect(verdict?.warnings).toMatchObject([
      { code: 'POLICY_NOT_IN_FORCE', message: expect.stringMatching(/recorded policy org version 1, but at position \d+ the log had org version 2 in force/) },
    ]);
    const [facts] = run(h.log, [
      tampered(h.inherited, (data) => ({
        ...data,
        request: { ...data.request, org: { id: data.orgId, status: 'suspended', ownerId: OWNER, tags: [], metadata: {} } },
      })),
    ]);
    expect(facts?.warnings).toMatchObject([{ code: 'ORG_FACTS_DIFFER' }]);
  });

  it('adds verdicts up into a report that lists at most maxItems of each kind, and merges pages', () => {
    const h = history();
    const context = new ReplayContext(h.log.timelines());
    const forged = h.log.decisions.map((decision) => tampered(decision, (data) => ({ ...data, platformPolicyHash: 'e'.repeat(64) })));
    const tally = new ReevaluationTally('org', 2);
    for (const decision of [...h.log.decisions, ...forged.slice(0, 3)]) tally.add(decision, reevaluateDecision(context, decision));
    const range = { from: null, to: null, since: null, until: null, head: '99', limit: 100, first: '4', last: '20', complete: false, next: '21' };
    const report = reevaluationReportSchema.parse(tally.report(range));
    expect(report).toMatchObject({
      total: 12,
      agreed: 9,
      counts: { unverifiable: 3, differed: 0 },
      unverifiableByCode: { PLATFORM_POLICY_CHANGED: 3 },
      omitted: { unverifiable: 1 },
    });
    expect(report.unverifiable).toHaveLength(2);
    expect(report.byAction['org.update']).toEqual({ total: 11, agreed: 8, differed: 0, unverifiable: 3 });

    const merged = mergeReevaluationReports(report, { ...report, range: { ...range, first: '21', last: '30', complete: true, next: null } }, 3);
    expect(merged).toMatchObject({
      total: 24,
      agreed: 18,
      counts: { unverifiable: 6 },
      omitted: { unverifiable: 3 },
      range: { first: '4', last: '30', complete: true, next: null },
    });
    expect(merged.byAction['org.update']?.total).toBe(22);
  });
});
