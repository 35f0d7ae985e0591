import { beforeAll, describe, expect, it } from 'vitest';
import { auditLabRules } from '../support/audit-lab-rules.ts';
import { useTestServer } from '../support/api-server.ts';
import { waitFor } from '../support/async.ts';
import { orgNotFound } from '../../domain/org/not-found.ts';

/**
 * The audit routes over HTTP (in process): state as of a position or an instant, re-evaluation, what-if; their
 * validation, bounded paging, uniform errors, and scoping: a member of one org reads nothing of another's audit.
 */
// The lab rules, with the forbid escalating to the owner.
const rules = auditLabRules.map((rule) => (rule.id === 'no-x' ? { ...rule, escalateTo: 'owner' } : rule));

describe('audit routes', () => {
  const { server, api } = useTestServer();
  let orgA: string;
  let orgB: string;
  let wes: { id: string; key: string };
  let olga: { id: string; key: string };
  const marks: Record<string, string> = {};

  const position = (response: { json(): unknown }) => String((response.json() as { position: string }).position);

  beforeAll(async () => {
    wes = await api.subjectWithKey('Wes');
    olga = await api.subjectWithKey('Olga');
    orgA = await api.registerOrg('audit-a');
    orgB = await api.registerOrg('audit-b');
    await api.defineRole(orgA, { name: 'writer' });
    await api.defineRole(orgB, { name: 'member' });
    await api.expectStatus(await api.grant(orgB, olga.id, 'member'), 201);
    // Olga, a stranger to A, is refused under the default policy: told as for an unknown org, and recorded in her
    // own audit stream (still one of A's decisions: its data names A).
    await api.expectStatus(await api.post(`/orgs/${orgA}/metadata`, { description: 'mine' }, olga.key), 404);
    await nextMillisecond();
    marks.beforeGrant = position(await api.post(`/orgs/${orgA}/metadata`, { description: 'before the grant' }));
    await nextMillisecond();
    const granted = await api.grant(orgA, wes.id, 'writer');
    marks.grant = position(granted);
    await nextMillisecond();
    marks.version = String(await api.publishPolicy(orgA, rules));
    await nextMillisecond();
    marks.published = String(((await api.get(`/orgs/${orgA}/decisions?limit=1`)).json() as { decisions: Array<{ position: string }> }).decisions[0]?.position);
    await api.expectStatus(await api.post(`/orgs/${orgA}/metadata`, { description: 'w: by a writer' }, wes.key), 200);
    await api.expectStatus(await api.post(`/orgs/${orgA}/metadata`, { description: 'x: reserved' }, wes.key), 403);
    await api.expectStatus(await api.post(`/orgs/${orgA}/metadata`, { description: 'x: by the admin' }), 403);
    await api.expectStatus(await api.post(`/orgs/${orgA}/metadata`, { description: 'by the admin' }), 200);
  });

  it("gives the state as of a position: before and after a grant, with the subject's effective roles", async () => {
    const before = await api.expectStatus(await api.get(`/audit/orgs/${orgA}/state?position=${marks.beforeGrant}&subjectId=${wes.id}`), 200);
    const after = await api.expectStatus(await api.get(`/audit/orgs/${orgA}/state?position=${marks.grant}&subjectId=${wes.id}`), 200);
    expect(before).toMatchObject({ orgId: orgA, cut: { by: 'position', position: marks.beforeGrant }, subject: { subjectId: wes.id, roles: [] }, members: [] });
    expect(after).toMatchObject({
      cut: { by: 'position', position: marks.grant },
      subject: { roles: ['writer'] },
      members: [{ subjectId: wes.id, roles: ['writer'] }],
    });
    expect(after.org).toMatchObject({ slug: 'audit-a', description: 'before the grant' });
    expect(after.effectivePolicy).toMatchObject({ source: 'default' });
    const now = await api.expectStatus(await api.get(`/audit/orgs/${orgA}/state`), 200);
    expect(now).toMatchObject({
      cut: { by: 'head' },
      effectivePolicy: { source: 'org', version: Number(marks.version) },
      org: { description: 'by the admin' },
    });
    expect(now.policy.versions).toMatchObject([{ version: 1, status: 'published', rules: expect.any(Array) }]);
  });

  it('gives the state as of an instant: cut at the last event at or before it', async () => {
    const grant = (await api.expectStatus(await api.get(`/audit/orgs/${orgA}/state?position=${marks.grant}`), 200)) as { cut: { at: string } };
    const atGrant = await api.expectStatus(await api.get(`/audit/orgs/${orgA}/state?at=${encodeURIComponent(grant.cut.at)}&subjectId=${wes.id}`), 200);
    expect(atGrant).toMatchObject({ cut: { by: 'time', position: marks.grant }, subject: { roles: ['writer'] } });
    const earlier = new Date(Date.parse(grant.cut.at) - 1).toISOString();
    const beforeIt = await api.expectStatus(await api.get(`/audit/orgs/${orgA}/state?at=${earlier}&subjectId=${wes.id}`), 200);
    expect(beforeIt).toMatchObject({ cut: { by: 'time' }, subject: { roles: [] } });
    const beforeAll = await api.expectStatus(await api.get(`/audit/orgs/${orgA}/state?at=2000-01-01T00:00:00Z`), 200);
    expect(beforeAll).toMatchObject({ cut: { position: '0' }, org: null, effectivePolicy: { source: 'none' } });
  });

  it('re-evaluates every recorded decision of the org: all agree, the same decisions the decisions route lists', async () => {
    const listed = (await api.expectStatus(await api.get(`/orgs/${orgA}/decisions?limit=500`), 200)) as { decisions: unknown[] };
    const report = await api.expectStatus(await api.get(`/audit/orgs/${orgA}/reevaluate`), 200);
    expect(report).toMatchObject({
      orgId: orgA,
      total: listed.decisions.length,
      agreed: listed.decisions.length,
      differed: [],
      unverifiable: [],
      range: { complete: true },
    });
    expect(report.byAction['org.update']).toMatchObject({ total: 6, agreed: 6 });
    expect(report.unverifiableByCode).toEqual({});

    // Bounded work, paged: two decisions per call, continued at next.
    let page = await api.expectStatus(await api.get(`/audit/orgs/${orgA}/reevaluate?limit=2`), 200);
    let seen = page.total as number;
    expect(page.range).toMatchObject({ complete: false, limit: 2, next: expect.stringMatching(/^\d+$/) });
    while (page.range.next !== null) {
      page = await api.expectStatus(await api.get(`/audit/orgs/${orgA}/reevaluate?limit=2&from=${page.range.next}&to=${report.range.head}`), 200);
      seen += page.total as number;
    }
    expect(seen).toBe(report.total);

    const sincePublished = await api.expectStatus(await api.get(`/audit/orgs/${orgA}/reevaluate?from=${marks.published}`), 200);
    expect(sincePublished.total).toBe(5);
  });

  it('what-if: a draft from the request or a drafted version, with the flips side by side', async () => {
    const freeze = [...rules, { id: 'freeze', effect: 'forbid', actions: ['org.update'], reason: 'frozen', escalateTo: 'board' }];
    const report = await api.expectStatus(await api.post(`/audit/orgs/${orgA}/what-if`, { rules: freeze, from: marks.published }), 200);
    expect(report).toMatchObject({ draft: { source: 'inline', rules: 4 }, total: 5, flipped: 2, nowDenied: 2, byKind: { 'permitted->forbidden': 2 } });
    // Wes's permitted update and the admin's: both would be forbidden; the refused ones stay refused.
    expect(report.flips.map((flip: { principal: { kind: string } }) => flip.principal.kind).sort()).toEqual(['admin', 'subject']);
    expect(report.flips[0]).toMatchObject({
      action: 'org.update',
      recorded: { outcome: 'permitted' },
      hypothetical: { outcome: 'forbidden', determiningRuleIds: ['freeze'], escalateTo: 'board' },
    });

    const same = await api.expectStatus(await api.post(`/audit/orgs/${orgA}/what-if`, { version: Number(marks.version), from: Number(marks.published) }), 200);
    expect(same).toMatchObject({ draft: { source: 'version', version: 1, rules: 3 }, total: 5, flipped: 0, unchanged: 5 });
    // Over the whole history: the registration (before the org existed) is skipped; nothing else changes.
    const whole = await api.expectStatus(await api.post(`/audit/orgs/${orgA}/what-if`, { version: 1 }), 200);
    expect(whole).toMatchObject({ skipped: 1, flipped: 0 });
  });

  it('refuses bad input with the uniform error shape, and positions beyond the head', async () => {
    const cases: Array<[string, ReturnType<typeof api.get>, number, string]> = [
      ['both cuts', api.get(`/audit/orgs/${orgA}/state?position=3&at=2026-01-01T00:00:00Z`), 400, 'VALIDATION_FAILED'],
      ['bad position', api.get(`/audit/orgs/${orgA}/state?position=-3`), 400, 'VALIDATION_FAILED'],
      ['time without zone', api.get(`/audit/orgs/${orgA}/state?at=2026-01-01T00:00:00`), 400, 'VALIDATION_FAILED'],
      ['job space without subject', api.get(`/audit/orgs/${orgA}/state?jobSpace=alpha`), 400, 'VALIDATION_FAILED'],
      ['unknown parameter', api.get(`/audit/orgs/${orgA}/reevaluate?outcome=forbidden`), 400, 'VALIDATION_FAILED'],
      ['from after to', api.get(`/audit/orgs/${orgA}/reevaluate?from=9&to=3`), 400, 'VALIDATION_FAILED'],
      ['limit over the bound', api.get(`/audit/orgs/${orgA}/reevaluate?limit=100001`), 400, 'VALIDATION_FAILED'],
      ['bad org id', api.get('/audit/orgs/not-an-org/reevaluate'), 400, 'VALIDATION_FAILED'],
      ['beyond the head', api.get(`/audit/orgs/${orgA}/state?position=99999999`), 422, 'POSITION_NOT_REACHED'],
      ['no such org', api.get('/audit/orgs/00000000-0000-4000-8000-000000000000/state'), 404, 'ORG_NOT_FOUND'],
      ['no draft', api.post(`/audit/orgs/${orgA}/what-if`, {}), 400, 'VALIDATION_FAILED'],
      ['two drafts', api.post(`/audit/orgs/${orgA}/what-if`, { version: 1, rules }), 400, 'VALIDATION_FAILED'],
      [
        'invalid rules',
        api.post(`/audit/orgs/${orgA}/what-if`, { rules: [{ id: 'r', effect: 'permit', actions: ['no.such'], reason: 'x' }] }),
        400,
        'POLICY_INVALID',
      ],
      ['no such version', api.post(`/audit/orgs/${orgA}/what-if`, { version: 9 }), 404, 'POLICY_VERSION_NOT_FOUND'],
      ['unknown body field', api.post(`/audit/orgs/${orgA}/what-if`, { version: 1, orgId: orgB }), 400, 'VALIDATION_FAILED'],
    ];
    for (const [what, pending, status, code] of cases) {
      const response = await pending;
      expect(response.statusCode, `${what}: ${response.body}`).toBe(status);
      expect(response.json(), what).toMatchObject({ code, message: expect.any(String), details: expect.any(Object) });
    }
    const invalid = (
      await api.post(`/audit/orgs/${orgA}/what-if`, { rules: [{ id: 'r', effect: 'permit', actions: ['org.update'], when: 'principal.rolez', reason: 'x' }] })
    ).json();
    expect(invalid.details.errors).toMatchObject([{ path: [0, 'when'], line: 1, column: expect.any(Number) }]);
  });

  it("scopes every audit route to orgs the principal may read: a member of B gets A's as for an unknown org", async () => {
    const routes = [
      () => api.get(`/audit/orgs/${orgA}/state`, olga.key),
      () => api.get(`/audit/orgs/${orgA}/reevaluate`, olga.key),
      () => api.post(`/audit/orgs/${orgA}/what-if`, { rules: [] }, olga.key),
    ];
    for (const route of routes) {
      const response = await route();
      expect(response.statusCode, response.body).toBe(404);
      expect(response.json()).toEqual({ code: 'ORG_NOT_FOUND', message: orgNotFound(orgA).message, details: { orgId: orgA } });
    }
    await api.expectStatus(await api.get(`/audit/orgs/${orgB}/state`, olga.key), 200);
    await api.expectStatus(await api.get(`/audit/orgs/${orgB}/reevaluate`, olga.key), 200);
    // Wes, a writer of A, reads A's audit under A's policy (members-read).
    await api.expectStatus(await api.get(`/audit/orgs/${orgA}/reevaluate`, wes.key), 200);
    // A non-member does not even learn whether an org exists.
    expect((await api.get('/audit/orgs/00000000-0000-4000-8000-000000000000/state', olga.key)).statusCode).toBe(404);
    const anonymous = await server.app.inject({ method: 'GET', url: `/audit/orgs/${orgA}/state` });
    expect(anonymous.statusCode).toBe(401);
  });

  it('documents the routes in the OpenAPI document', async () => {
    const doc = (await server.app.inject({ url: '/docs/json' })).json() as {
      paths: Record<string, Record<string, { tags: string[]; parameters?: Array<{ name: string; in: string }>; requestBody?: unknown }>>;
    };
    expect(doc.paths['/audit/orgs/{orgId}/state']?.get?.tags).toEqual(['audit']);
    expect(
      doc.paths['/audit/orgs/{orgId}/reevaluate']?.get?.parameters?.filter((parameter) => parameter.in === 'query').map((parameter) => parameter.name),
    ).toEqual(['from', 'to', 'since', 'until', 'limit', 'maxItems']);
    expect(doc.paths['/audit/orgs/{orgId}/what-if']?.post?.requestBody).toMatchObject({ content: { 'application/json': { schema: { type: 'object' } } } });
  });
});

/** Cuts by time have millisecond resolution: each marked event must be recorded in a later millisecond than the last. */
async function nextMillisecond(): Promise<void> {
  const now = Date.now();
  await waitFor(() => Date.now() > now, 1000, 'the clock to pass a millisecond');
}
