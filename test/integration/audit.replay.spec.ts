import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateDecisionHistory, policyV2, policyV3, type GeneratedHistory } from '../../bench/audit-reevaluation.ts';
import { loadOrgHistory, type AuditSource } from '../../commands/audit/reader.ts';
import { orgStateAt, reevaluateOrg, resolveDraft, whatIfOrg } from '../../commands/audit/replay.ts';
import { orgStateAsOf, orgTimelines, subjectRolesAt } from '../../domain/audit/as-of.ts';
import { mergeReevaluationReports } from '../../domain/audit/report.ts';
import type { RecordedDecision } from '../../domain/audit/recorded.ts';
import { isAppError } from '../../domain/shared/app-error.ts';
import { SqliteEventStore } from '../../infra/eventstore/sqlite.ts';

/**
 * Audit replay over a generated history of at least 10,000 decisions made by the real governed pipeline on a temp
 * SQLite store: several orgs (one on the default policy, a child org), three policy versions published over time,
 * roles granted, revoked and expiring, quiet hours in Zurich, condition errors. Every decision must re-evaluate to
 * what was recorded; a draft that forbids an action must flip exactly the decisions of that action.
 */
const DECISIONS = 10_000;

let dir: string;
let store: SqliteEventStore;
let history: GeneratedHistory;
let source: AuditSource;
/** Every DecisionRecorded of the log, by org (null: platform), read straight from the store. */
const logged = new Map<string | null, RecordedDecision[]>();

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ag-audit-replay-'));
  store = new SqliteEventStore({ path: join(dir, 'events.db'), synchronous: 'NORMAL' });
  history = await generateDecisionHistory({ store, decisions: DECISIONS, seed: 7 });
  source = { store, registry: history.registry };
  for await (const event of store.readAll({ filter: { eventTypes: ['DecisionRecorded'] } })) {
    const data = history.registry.decode(event.type, event.data, event.metadata).data as RecordedDecision['data'];
    const list = logged.get(data.orgId) ?? [];
    list.push({ position: event.position, streamId: event.streamId, occurredAt: String(event.metadata.occurredAt), data });
    logged.set(data.orgId, list);
  }
}, 60_000);

afterAll(async () => {
  await store?.close();
  rmSync(dir, { recursive: true, force: true });
});

const orgDecisionsOf = (orgId: string) => logged.get(orgId) ?? [];

describe('audit replay of a generated governed history', () => {
  it('generated a varied history of at least 10,000 decisions', () => {
    const all = [...logged.values()].flat();
    expect(all.length).toBe(history.decisions);
    expect(all.length).toBeGreaterThanOrEqual(DECISIONS);
    const outcomes = (outcome: string) => all.filter((decision) => decision.data.outcome === outcome).length;
    expect(outcomes('permitted')).toBeGreaterThan(1_000);
    expect(outcomes('forbidden')).toBeGreaterThan(1_000);
    expect(outcomes('not-permitted')).toBeGreaterThan(1_000);
    const policies = new Set(all.map((decision) => `${decision.data.policy.source}:${decision.data.policy.version ?? '-'}`));
    expect([...policies].sort()).toEqual(['default:-', 'none:-', 'org:1', 'org:2', 'org:3']);
    expect(all.filter((decision) => decision.data.determiningRuleIds.includes('quiet-hours')).length).toBeGreaterThan(50);
    expect(all.filter((decision) => decision.data.errors.length > 0).length).toBeGreaterThan(50);
    expect(all.filter((decision) => decision.data.determiningRuleIds.includes('skilled-writers')).length).toBeGreaterThan(0);
    // Roles changed under the subjects: some subject was seen with several different role sets in one org.
    const roleSets = new Map<string, Set<string>>();
    for (const decision of all) {
      const principal = decision.data.request.principal as { id: string; kind: string; roles: string[] };
      if (principal.kind !== 'subject' || decision.data.orgId === null) continue;
      const key = `${decision.data.orgId}/${principal.id}`;
      roleSets.set(key, (roleSets.get(key) ?? new Set()).add(principal.roles.join(',')));
    }
    expect(Math.max(...[...roleSets.values()].map((sets) => sets.size))).toBeGreaterThanOrEqual(3);
    expect(history.orgs.length).toBeGreaterThanOrEqual(4);
  });

  it('re-evaluates every decision of every org to exactly what was recorded', async () => {
    let total = 0;
    for (const org of history.orgs) {
      const report = await reevaluateOrg(source, org.orgId);
      expect(report.total, org.slug).toBe(orgDecisionsOf(org.orgId).length);
      expect(report.agreed, `${org.slug}: ${JSON.stringify(report.differed.slice(0, 2))} ${JSON.stringify(report.unverifiable.slice(0, 2))}`).toBe(
        report.total,
      );
      expect(report.counts).toEqual({ differed: 0, unverifiable: 0, drifted: 0, warnings: 0 });
      expect(report.range).toMatchObject({ complete: true, next: null });
      total += report.total;
    }
    // Every decision of an org is found, wherever it was recorded: the parent's consent to its child's registration
    // sits in the child's org stream; a child registration refused to a stranger of the parent in the stranger's own
    // audit stream (an outsider never grows another org's log), still one of the parent's decisions.
    const parent = history.orgs[0];
    const consent = orgDecisionsOf(parent?.orgId ?? '').filter((decision) => decision.data.action === 'org.child.register');
    expect(consent).toHaveLength(1);
    expect(consent[0]?.streamId).toBe(`org-${history.orgs.at(-1)?.orgId}`);
    expect(orgDecisionsOf(history.orgs[1]?.orgId ?? '').filter((decision) => decision.data.action === 'org.child.register')).toMatchObject([
      { streamId: expect.stringMatching(/^audit-outsider\./), data: { outcome: 'not-permitted' } },
    ]);
    // Every decision of the generated orgs was re-evaluated. (The rest are platform-level, or about the child org
    // whose registration the parent refused: its own permit is recorded with the refusal, though it never existed.)
    expect(total).toBe(history.orgs.reduce((sum, org) => sum + orgDecisionsOf(org.orgId).length, 0));
  });

  it('pages through a range with limit and next, and selects by position and by time', async () => {
    const org = history.orgs[0]?.orgId ?? '';
    const all = orgDecisionsOf(org);
    let page = await reevaluateOrg(source, org, { limit: 700 });
    expect(page.range).toMatchObject({ complete: false, limit: 700, next: String(all[700]?.position) });
    let merged = page;
    while (page.range.next !== null) {
      page = await reevaluateOrg(source, org, { from: BigInt(page.range.next), to: BigInt(merged.range.head), limit: 700 });
      merged = mergeReevaluationReports(merged, page);
    }
    expect(merged).toMatchObject({
      total: all.length,
      agreed: all.length,
      range: { first: String(all[0]?.position), last: String(all.at(-1)?.position), complete: true },
    });

    const [from, to] = [all[100]?.position ?? 0n, all[299]?.position ?? 0n];
    expect((await reevaluateOrg(source, org, { from, to })).total).toBe(200);
    const [since, until] = [all[1_000]?.occurredAt ?? '', all[1_499]?.occurredAt ?? ''];
    const inTime = all.filter((decision) => decision.occurredAt >= since && decision.occurredAt <= until).length;
    expect((await reevaluateOrg(source, org, { since, until })).total).toBe(inTime);
    expect(inTime).toBeGreaterThanOrEqual(500);
  });

  it("rebuilds the state as of each decision's position that gives the principal's recorded roles", async () => {
    for (const org of history.orgs.slice(0, 2)) {
      const timelines = orgTimelines(await loadOrgHistory(source, org.orgId));
      const decisions = orgDecisionsOf(org.orgId).filter((_, index) => index % 25 === 0);
      for (const decision of decisions) {
        const request = decision.data.request as {
          principal: { id: string; kind: string; roles: string[] };
          resource: { jobSpace: string | null };
          now: string;
        };
        if (request.principal.kind !== 'subject' || decision.data.rosterRevision === null) continue;
        // Just before the decision: a permitted roster command records its decision in the roster stream itself.
        const state = orgStateAsOf(timelines, { by: 'position', position: decision.position - 1n, at: request.now });
        expect(state.rosterRevision.toString(), decision.data.decisionId).toBe(decision.data.rosterRevision);
        expect(state.effectivePolicy).toMatchObject({ source: decision.data.policy.source, version: decision.data.policy.version });
        expect(subjectRolesAt(state.roster, request.principal.id, request.now, request.resource.jobSpace).roles).toEqual(request.principal.roles);
      }
    }
  });

  it('answers the state as of a position and as of a time through the reader', async () => {
    const org = history.orgs[0] as GeneratedHistory['orgs'][number];
    const [v1, v2] = history.published.filter((publication) => publication.orgId === org.orgId);
    if (!v1 || !v2) throw new Error('org 0 published no two versions');
    const before = await orgStateAt(source, org.orgId, { cut: { position: v2.position - 1n } });
    const after = await orgStateAt(source, org.orgId, { cut: { position: v2.position } });
    if (isAppError(before) || isAppError(after)) throw new Error('state refused');
    expect(before.effectivePolicy).toMatchObject({ source: 'org', version: v1.version });
    expect(after.effectivePolicy).toMatchObject({ source: 'org', version: v2.version, hash: v2.hash });
    expect(after.policy.versions.find((version) => version.version === v1.version)?.status).toBe('superseded');

    // As of the instant of the publication: cut at the publication itself (nothing of the org happened in between).
    const published = after.cut.at;
    const atTime = await orgStateAt(source, org.orgId, { cut: { at: published } });
    if (isAppError(atTime)) throw new Error('state refused');
    expect(atTime.cut).toMatchObject({ by: 'time', position: String(v2.position), at: published });
    expect(atTime.effectivePolicy.version).toBe(v2.version);
    const head = await store.headPosition();
    expect(await orgStateAt(source, org.orgId, { cut: { position: head + 1n } })).toMatchObject({ code: 'POSITION_NOT_REACHED' });
  });

  it('what-if: a draft that forbids org.update flips exactly the org.update decisions not already forbidden', async () => {
    const org = history.orgs[0] as GeneratedHistory['orgs'][number];
    const v3 = history.published.filter((publication) => publication.orgId === org.orgId).at(-1);
    if (!v3) throw new Error('no v3');
    const inRange = orgDecisionsOf(org.orgId).filter((decision) => decision.position > v3.position);
    expect(inRange.every((decision) => decision.data.policy.version === 3)).toBe(true);
    const draft = await resolveDraft(source, org.orgId, {
      rules: [...policyV3, { id: 'freeze-updates', effect: 'forbid', actions: ['org.update'], reason: 'the org is frozen', escalateTo: 'board' }],
    });
    if (isAppError(draft)) throw new Error(draft.message);
    const report = await whatIfOrg(source, org.orgId, draft, { from: v3.position + 1n, maxItems: 10_000 });

    const expected = inRange.filter((decision) => decision.data.action === 'org.update' && decision.data.outcome !== 'forbidden');
    expect(expected.length).toBeGreaterThan(100);
    expect(report.total).toBe(inRange.length);
    expect(new Set(report.flips.map((flip) => flip.decisionId))).toEqual(new Set(expected.map((decision) => decision.data.decisionId)));
    const permitted = expected.filter((decision) => decision.data.outcome === 'permitted').length;
    expect(report).toMatchObject({
      flipped: expected.length,
      nowDenied: permitted,
      stillDenied: expected.length - permitted,
      nowPermitted: 0,
      byKind: { 'permitted->forbidden': permitted, 'not-permitted->forbidden': expected.length - permitted },
      omitted: 0,
    });
    expect(Object.keys(report.byAction).filter((action) => (report.byAction[action]?.flipped ?? 0) > 0)).toEqual(['org.update']);
    expect(report.flips[0]?.hypothetical).toMatchObject({
      outcome: 'forbidden',
      determiningRuleIds: expect.arrayContaining(['freeze-updates']),
      escalateTo: 'board',
    });
  });

  it('what-if with a drafted version: v2 instead of v3 lifts exactly the quiet-hours forbids that nothing else forbids', async () => {
    const org = history.orgs[0] as GeneratedHistory['orgs'][number];
    const v3 = history.published.filter((publication) => publication.orgId === org.orgId).at(-1);
    if (!v3) throw new Error('no v3');
    const draft = await resolveDraft(source, org.orgId, { version: 2 });
    if (isAppError(draft)) throw new Error(draft.message);
    expect(draft).toMatchObject({ source: 'version', version: 2, rules: policyV2 });
    const report = await whatIfOrg(source, org.orgId, draft, { from: v3.position + 1n, maxItems: 10_000 });
    const quiet = orgDecisionsOf(org.orgId).filter((decision) => decision.position > v3.position && decision.data.determiningRuleIds.join() === 'quiet-hours');
    expect(quiet.length).toBeGreaterThan(10);
    expect(new Set(report.flips.map((flip) => flip.decisionId))).toEqual(new Set(quiet.map((decision) => decision.data.decisionId)));
    expect(report.flips.every((flip) => flip.kind.startsWith('forbidden->'))).toBe(true);
    expect(await resolveDraft(source, org.orgId, { version: 99 })).toMatchObject({ code: 'POLICY_VERSION_NOT_FOUND' });
    expect(await resolveDraft(source, org.orgId, { rules: [{ id: 'bad', effect: 'permit', actions: ['nope.*'], reason: 'x' }] })).toMatchObject({
      code: 'POLICY_INVALID',
    });
  });

  // Last: it alters the log.
  it('finds a tampered decision: a recorded outcome, and recorded roles, that the log does not give', async () => {
    const org = history.orgs[2] as GeneratedHistory['orgs'][number];
    const decisions = orgDecisionsOf(org.orgId);
    const denied = decisions.find((decision) => decision.data.outcome === 'not-permitted' && decision.data.action === 'org.update');
    const bySubject = decisions.find(
      (decision) =>
        decision.data.outcome === 'permitted' &&
        (decision.data.request.principal as { kind: string }).kind === 'subject' &&
        decision.data.action === 'org.update',
    );
    if (!denied || !bySubject) throw new Error('no decisions to tamper with');
    const db = new Database(join(dir, 'events.db'));
    try {
      db.prepare("UPDATE events SET data = json_set(data, '$.outcome', 'permitted') WHERE position = ?").run(denied.position);
      db.prepare('UPDATE events SET data = json_set(data, \'$.request.principal.roles\', json(\'["editor","writer","member"]\')) WHERE position = ?').run(
        bySubject.position,
      );
    } finally {
      db.close();
    }
    const report = await reevaluateOrg(source, org.orgId);
    expect(report.counts.differed).toBe(2);
    expect(report.agreed).toBe(decisions.length - 2);
    const [first, second] = report.differed;
    expect(first).toMatchObject({ decisionId: denied.data.decisionId, recorded: { outcome: 'permitted' }, replayed: { outcome: 'not-permitted' } });
    expect(first?.explanation).toBe('recorded permitted, but re-evaluation gives not-permitted (no rule permits it)');
    expect(second).toMatchObject({
      decisionId: bySubject.data.decisionId,
      differences: expect.arrayContaining([expect.objectContaining({ field: 'request.principal.roles' })]),
    });
  });
});
